package io.kck;

/**
 * A get found no value and was not to compute one: the primer does not compute on a miss ({@link
 * io.kck.primer.Primer#computeOnMiss()}), or the call asked for a cached value only ({@link
 * Kck#getIfPresent} turns this into an empty result). Nothing was started.
 */
public class NotCachedException extends KckException {
  public NotCachedException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
