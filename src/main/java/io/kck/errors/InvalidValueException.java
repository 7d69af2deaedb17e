package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * A value or delta was refused: null, not of the primer's declared type, not writable or readable
 * as JSON, or rejected by the primer's augment function. Nothing was stored or applied.
 */
public final class InvalidValueException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public InvalidValueException(String key, String message, @Nullable Throwable cause) {
    super(Kind.INVALID_VALUE, key, message, cause);
  }
}
