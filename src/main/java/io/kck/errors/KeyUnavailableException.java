package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * The key could not answer: its actor stopped before replying (its journal write failed, or the
 * node is shutting down), or the request could not reach it. The request changed nothing and may
 * be retried.
 */
public final class KeyUnavailableException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public KeyUnavailableException(String key, String message, @Nullable Throwable cause) {
    super(Kind.UNAVAILABLE, key, message, cause);
  }
}
