package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * A compute read, directly or through other products, the key it was computing. The message names
 * the keys of the cycle. Every key on the cycle fails its compute with this error (and backs off
 * like after any failed compute); nothing is stored.
 */
public final class DependencyCycleException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public DependencyCycleException(String key, String message) {
    this(key, message, null);
  }

  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public DependencyCycleException(String key, String message, @Nullable Throwable cause) {
    super(Kind.DEPENDENCY_CYCLE, key, message, cause);
  }
}
