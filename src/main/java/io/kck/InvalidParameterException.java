package io.kck;

/**
 * One parameter of the key does not parse (text form) or has the wrong type (typed form). The
 * message names the parameter, the offending value and, where the parser gave one, the cause.
 */
public final class InvalidParameterException extends InvalidKeyException {
  private final String parameter;

  public InvalidParameterException(String key, String parameter, String message, Throwable cause) {
    super(key, message, cause);
    this.parameter = parameter;
  }

  /** The name of the parameter that was wrong. */
  public String parameter() {
    return parameter;
  }
}
