package io.kck;

/**
 * A compute read, directly or through other products, the key it was computing. The message names
 * the keys of the cycle. Every key on the cycle fails its compute with this error (and backs off
 * like after any failed compute); nothing is stored.
 */
public class DependencyCycleException extends KckException {
  public DependencyCycleException(String key, String message) {
    super(key, message);
  }

  public DependencyCycleException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
