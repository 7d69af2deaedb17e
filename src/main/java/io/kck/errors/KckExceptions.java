package io.kck.errors;

import io.kck.errors.KckException.Kind;
import org.jspecify.annotations.Nullable;

/**
 * Makes the {@link KckException} of a {@link Kind}: how a failure that crossed the network (or a
 * process boundary) as a kind, a key and a message becomes the same exception again. Kept apart
 * from {@link KckException} so that the base class does not know its subclasses.
 */
public final class KckExceptions {
  private KckExceptions() {}

  /**
   * The exception of {@code kind}: the one place where kinds meet classes (a kind without a class
   * does not compile).
   */
  public static KckException of(Kind kind, String key, String message, @Nullable Throwable cause) {
    return switch (kind) {
      case INVALID_KEY -> new InvalidKeyException(key, message, cause);
      case UNKNOWN_PRIMER -> new UnknownPrimerException(key, KeyTexts.primerName(key), message);
      case WRONG_PARAMETER_COUNT -> new WrongParameterCountException(key, message);
      case INVALID_PARAMETER -> new InvalidParameterException(key, null, message, cause);
      case INVALID_VALUE -> new InvalidValueException(key, message, cause);
      case NOT_CACHED -> new NotCachedException(key, message, cause);
      case NOTHING_TO_AUGMENT -> new NothingToAugmentException(key, message, cause);
      case VERSION_CONFLICT -> new VersionConflictException(key, message, cause);
      case COMPUTE_FAILED -> new ComputeFailedException(key, message, cause);
      case COMPUTE_TIMEOUT -> new ComputeTimeoutException(key, message, cause);
      case DEPENDENCY_CYCLE -> new DependencyCycleException(key, message, cause);
      case OVERLOADED -> new OverloadedException(key, message, cause);
      case UNAVAILABLE -> new KeyUnavailableException(key, message, cause);
      case TIMEOUT -> new KckTimeoutException(key, message, cause);
    };
  }
}
