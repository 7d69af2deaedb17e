package io.kck;

/**
 * A value handed to {@link Kck#put} is null or not of the primer's value type, or Jackson cannot
 * write it. Nothing was stored.
 */
public final class InvalidValueException extends KckException {
  public InvalidValueException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
