package io.kck.primer;

/**
 * Computes many keys of one primer in one call: one query for a whole day of registers instead of
 * one per register. A primer that has one ({@link Primer#batchCompute()}, {@link
 * PrimerBuilder#computeAll}) has every compute of its keys go through it: the keys whose computes
 * start together on a node (a {@code getAll}, refreshes that fall due together, the dependents of
 * one change) are handed to it in batches of at most the primer's batch size.
 *
 * <p>Runs on the compute pool like {@link Primer#compute}, and may block. A batch holds one place of
 * the pool. Single flight holds per key: a key is in at most one compute at a time, batch or not,
 * and every caller of a key in a running batch waits for that batch.
 *
 * <p><b>Failures are per key.</b> The compute answers each key of the batch with {@link
 * Batch#complete} or {@link Batch#fail}; a key it leaves unanswered fails with a {@link
 * io.kck.errors.ComputeFailedException} saying so. When {@code computeAll} throws, every key it had
 * not answered yet fails with that exception; the keys it had answered keep their answer.
 *
 * @param <V> the primer's value type
 */
@FunctionalInterface
public interface BatchCompute<V> {

  /** Computes the keys of {@code batch} and answers each of them through it. */
  void computeAll(Batch<V> batch) throws Exception;
}
