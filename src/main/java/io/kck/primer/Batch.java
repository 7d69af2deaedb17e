package io.kck.primer;

import java.util.List;

/**
 * The keys of one {@link BatchCompute} call, and where it answers each of them. Valid only during
 * that call. {@link #complete} and {@link #fail} may be called from any thread (a compute that fans
 * out over threads of its own); {@link #context} is used from the calling thread only, like a
 * {@link ComputeContext}. Nothing answered is stored before {@code computeAll} returns; then each
 * key journals its own value, and its callers get it.
 *
 * @param <V> the primer's value type
 */
public interface Batch<V> {

  /** The keys to compute, distinct, each of this primer; never empty. */
  List<Key<V>> keys();

  /**
   * The compute context of one key of the batch: its previous value, and the reads that become its
   * dependencies (a read through it makes only this key depend on what it read).
   *
   * @throws IllegalArgumentException if {@code key} is not a key of this batch
   */
  ComputeContext<V> context(Key<V> key);

  /**
   * The value of {@code key}.
   *
   * @throws IllegalArgumentException if {@code key} is not a key of this batch, or {@code value} is
   *     null
   * @throws IllegalStateException if {@code key} was answered already
   */
  void complete(Key<V> key, V value);

  /**
   * {@code key} failed with {@code failure}: its callers get a {@link
   * io.kck.errors.ComputeFailedException} with it as the cause, and the key backs off like after a
   * failed compute; the other keys of the batch are not affected.
   *
   * @throws IllegalArgumentException if {@code key} is not a key of this batch, or {@code failure}
   *     is null
   * @throws IllegalStateException if {@code key} was answered already
   */
  void fail(Key<V> key, Exception failure);
}
