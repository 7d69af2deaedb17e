package io.kck.primer;

import java.util.List;

/**
 * The compute of one key by a primer that only has a {@link BatchCompute}: a batch of that key
 * alone. KCK itself sends every compute of such a primer through its batches; this is what a
 * direct call of {@link Primer#compute} gets.
 */
final class BatchOfOne<V> implements Batch<V> {
  private final Key<V> key;
  private final ComputeContext<V> context;
  private V value;
  private Exception failure;

  private BatchOfOne(Key<V> key, ComputeContext<V> context) {
    this.key = key;
    this.context = context;
  }

  static <V> V compute(BatchCompute<V> compute, Key<V> key, ComputeContext<V> context) throws Exception {
    BatchOfOne<V> batch = new BatchOfOne<>(key, context);
    compute.computeAll(batch);
    if (batch.failure != null) {
      throw batch.failure;
    }
    if (batch.value == null) {
      throw new IllegalStateException("The batch compute of " + key.primer() + " gave no value for key '" + key + "'");
    }
    return batch.value;
  }

  @Override
  public List<Key<V>> keys() {
    return List.of(key);
  }

  @Override
  public ComputeContext<V> context(Key<V> key) {
    check(key);
    return context;
  }

  @Override
  public synchronized void complete(Key<V> key, V value) {
    check(key);
    if (value == null) {
      throw new IllegalArgumentException("The value of key '" + key + "' is null; a compute must give a value");
    }
    answer();
    this.value = value;
  }

  @Override
  public synchronized void fail(Key<V> key, Exception failure) {
    check(key);
    if (failure == null) {
      throw new IllegalArgumentException("The failure of key '" + key + "' (parameter 'failure') is null");
    }
    answer();
    this.failure = failure;
  }

  private void check(Key<V> other) {
    if (!key.equals(other)) {
      throw new IllegalArgumentException("Key '" + other + "' is not in this batch (its only key is '" + key + "')");
    }
  }

  private void answer() {
    if (value != null || failure != null) {
      throw new IllegalStateException("Key '" + key + "' of this batch was answered already");
    }
  }
}
