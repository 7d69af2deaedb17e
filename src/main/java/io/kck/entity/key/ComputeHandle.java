package io.kck.entity.key;

/**
 * A started compute of one key, as its attempt holds it: on the compute pool alone, or as a
 * key of a batch ({@link BatchLanes}). Thread-safe.
 */
@FunctionalInterface
interface ComputeHandle {

  /**
   * Abandons the key's compute (its timeout passed, or the key stops): a compute not started yet
   * never starts; a running one is interrupted, a batch only once every key in it was abandoned.
   * Its answer, should one still come, is recognised as late and dropped by the key.
   */
  void cancel();
}
