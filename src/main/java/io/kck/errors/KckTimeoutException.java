package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * No answer from the key within {@code kck.request-timeout}. The request may or may not have taken
 * effect (a put may still be written): read the key to find out.
 */
public final class KckTimeoutException extends KckException {
  public KckTimeoutException(String key, String message, @Nullable Throwable cause) {
    super(Kind.TIMEOUT, key, message, cause);
  }
}
