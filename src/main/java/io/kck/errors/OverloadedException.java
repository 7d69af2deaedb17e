package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * The key's actor had no room for the request (more requests arrived while it loaded or wrote its
 * state than {@code kck.entity.stash-capacity} allows). The request changed nothing and may be
 * retried.
 */
public final class OverloadedException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public OverloadedException(String key, String message, @Nullable Throwable cause) {
    super(Kind.OVERLOADED, key, message, cause);
  }
}
