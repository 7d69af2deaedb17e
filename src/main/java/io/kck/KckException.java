package io.kck;

/**
 * Base of every exception the library reports. Each one names the key it concerns, so a log line
 * or an HTTP error says which data product went wrong.
 *
 * <p>Failed {@link java.util.concurrent.CompletionStage}s returned by {@link Kck} complete
 * exceptionally with a subclass of this type (wrapped in a {@link
 * java.util.concurrent.CompletionException} when read through {@code join()}).
 */
public class KckException extends RuntimeException {
  private final String key;

  public KckException(String key, String message) {
    this(key, message, null);
  }

  public KckException(String key, String message, Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  /** The key as the caller gave it (canonical where it could be parsed). */
  public String key() {
    return key;
  }
}
