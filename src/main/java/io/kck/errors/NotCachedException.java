package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * A get found no value and was not to compute one: the primer does not compute on a miss, or the
 * call asked for a cached value only ({@code getIfPresent} turns this into an empty result).
 * Nothing was started.
 */
public final class NotCachedException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public NotCachedException(String key, String message, @Nullable Throwable cause) {
    super(Kind.NOT_CACHED, key, message, cause);
  }
}
