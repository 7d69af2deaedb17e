package io.kck.entity.key;

/**
 * A started compute of one key, as its attempt holds it: on the compute pool alone, or as a
 * key of a batch ({@link BatchLanes}). Thread-safe.
 */
interface ComputeHandle {

  /**
   * Abandons the key's compute (its timeout passed, or the key stops): a compute not started yet
   * never starts; a running one is interrupted, a batch only once every key in it was abandoned.
   * Its answer, should one still come, is recognised as late and dropped by the key.
   */
  void cancel();

  /**
   * Abandons the key's compute because an input it read changed ({@link StaleComputes}): as
   * {@link #cancel()}, but not reported as a stuck compute; a key of a batch only leaves its batch.
   */
  default void cancelStale() {
    cancel();
  }
}
