package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * No answer from the key within {@code kck.request-timeout}. The request may or may not have taken
 * effect (a put may still be written): read the key to find out.
 */
public final class KckTimeoutException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public KckTimeoutException(String key, String message, @Nullable Throwable cause) {
    super(Kind.TIMEOUT, key, message, cause);
  }
}
