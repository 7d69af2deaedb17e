package io.kck;

/**
 * The key could not answer: its actor stopped before replying (its journal write failed, or the
 * node is shutting down). The request changed nothing and may be retried.
 */
public final class KeyUnavailableException extends KckException {
  public KeyUnavailableException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
