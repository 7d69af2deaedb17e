package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * One parameter of the key does not parse (text form) or has the wrong type (typed form). The
 * message names the parameter, the offending value and, where the parser gave one, the cause.
 */
public final class InvalidParameterException extends InvalidKeyException {
  /** The parameter that was wrong, when known here. */
  private final @Nullable String parameter;

  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public InvalidParameterException(String key, @Nullable String parameter, String message, @Nullable Throwable cause) {
    super(Kind.INVALID_PARAMETER, key, message, cause);
    this.parameter = parameter;
  }

  /** The name of the parameter that was wrong; null when the failure came from another node. */
  public @Nullable String parameter() {
    return parameter;
  }
}
