package io.kck.errors;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Base of every exception the library reports. Each one names the key it concerns and its {@link
 * #kind()}, so a log line, a tracked read inside a compute and an HTTP error all say which data
 * product went wrong, and how, in the same words.
 *
 * <p>The kind decides the exception's class ({@link KckExceptions#of}) and, over HTTP, the status code: the
 * same failure reaches {@code kck.get}, a compute's {@code context.get} and an HTTP client as the
 * same kind. Stages returned by {@code Kck} complete exceptionally with a subclass of this type
 * (wrapped in a {@link java.util.concurrent.CompletionException} when read through {@code join()});
 * {@code kck.blocking()} throws it directly.
 */
public class KckException extends RuntimeException {

  /** What went wrong. Every kind has exactly one exception class; see {@link KckExceptions#of}. */
  public enum Kind {
    /** The key text or parameter values do not make a key ({@link InvalidKeyException}). */
    INVALID_KEY,
    /** The key names a primer that is not registered ({@link UnknownPrimerException}). */
    UNKNOWN_PRIMER,
    /** The key has more or fewer parameters than its primer declares ({@link WrongParameterCountException}). */
    WRONG_PARAMETER_COUNT,
    /** A parameter does not parse or has the wrong type ({@link InvalidParameterException}). */
    INVALID_PARAMETER,
    /** A value or delta was refused; nothing was stored ({@link InvalidValueException}). */
    INVALID_VALUE,
    /** No value, and none was to be computed ({@link NotCachedException}). */
    NOT_CACHED,
    /** An augment reached a key without a value ({@link NothingToAugmentException}). */
    NOTHING_TO_AUGMENT,
    /** An augment or a put expected another version ({@link VersionConflictException}). */
    VERSION_CONFLICT,
    /** The primer's compute threw ({@link ComputeFailedException}). */
    COMPUTE_FAILED,
    /** The compute ran past its timeout ({@link ComputeTimeoutException}). */
    COMPUTE_TIMEOUT,
    /** A compute read the key it was computing, directly or not ({@link DependencyCycleException}). */
    DEPENDENCY_CYCLE,
    /** The key had no room for the request ({@link OverloadedException}). */
    OVERLOADED,
    /** The key could not answer: its journal failed or its node stops ({@link KeyUnavailableException}). */
    UNAVAILABLE,
    /** No answer within {@code kck.request-timeout} ({@link KckTimeoutException}). */
    TIMEOUT
  }

  /** What went wrong. */
  private final Kind kind;
  /** The key concerned. */
  private final String key;

  /**
   * @param kind what went wrong; subclasses pass their own
   * @param key the key concerned, as the caller gave it (canonical where it could be parsed)
   */
  protected KckException(Kind kind, String key, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.key = Objects.requireNonNull(key, "key");
  }


  /** What went wrong, as one of a fixed set of kinds. */
  public Kind kind() {
    return kind;
  }

  /** The key as the caller gave it (canonical where it could be parsed). */
  public String key() {
    return key;
  }
}
