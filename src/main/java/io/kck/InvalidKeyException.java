package io.kck;

/**
 * The key text or the typed parameter values do not describe a key of any registered primer.
 * Thrown (or used to fail the returned stage) before any actor is involved: an invalid key never
 * starts an entity and never touches the database.
 *
 * <p>Subclasses say what was wrong: {@link UnknownPrimerException}, {@link
 * WrongParameterCountException}, {@link InvalidParameterException}.
 */
public class InvalidKeyException extends KckException {
  public InvalidKeyException(String key, String message) {
    super(key, message);
  }

  public InvalidKeyException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
