package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * The key text or the typed parameter values do not describe a key of any registered primer.
 * Raised before any actor is involved: an invalid key never starts an entity and never touches the
 * database.
 *
 * <p>Subclasses say what was wrong: {@link UnknownPrimerException}, {@link
 * WrongParameterCountException}, {@link InvalidParameterException}.
 */
public class InvalidKeyException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public InvalidKeyException(String key, String message) {
    this(key, message, null);
  }

  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public InvalidKeyException(String key, String message, @Nullable Throwable cause) {
    this(Kind.INVALID_KEY, key, message, cause);
  }

  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  InvalidKeyException(Kind kind, String key, String message, @Nullable Throwable cause) {
    super(kind, key, message, cause);
  }
}
