package io.kck.errors;

/**
 * The key has more or fewer parameters than its primer declares (django-kck's {@code
 * KeyParameterMismatch}).
 */
public final class WrongParameterCountException extends InvalidKeyException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public WrongParameterCountException(String key, String message) {
    super(Kind.WRONG_PARAMETER_COUNT, key, message, null);
  }
}
