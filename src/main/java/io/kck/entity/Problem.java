package io.kck.entity;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.kck.ComputeFailedException;
import io.kck.ComputeTimeoutException;
import io.kck.DependencyCycleException;
import io.kck.InvalidKeyException;
import io.kck.InvalidValueException;
import io.kck.NotCachedException;
import io.kck.NothingToAugmentException;
import io.kck.VersionConflictException;
import io.kck.KckException;
import io.kck.KeyUnavailableException;
import io.kck.OverloadedException;
import io.kck.persistence.KckSerializable;
import java.util.Optional;

/**
 * Why a key could not answer, in a form that crosses the network: a kind, a message naming the
 * key, and the class and message of the underlying exception. On the node where the failure
 * happened the exception itself rides along (not serialized), so local callers get the original
 * cause, remote callers a faithful description of it.
 */
public final class Problem implements KckSerializable {

  /** What went wrong; the facade maps each kind to its exception type. */
  public enum Kind {
    /** The primer's compute threw. */
    COMPUTE_FAILED,
    /** The compute ran past its timeout. */
    COMPUTE_TIMEOUT,
    /**
     * The key's actor stopped before it could answer: its journal write failed, or the node is
     * shutting down. Nothing was changed by the request; it may be retried.
     */
    UNAVAILABLE,
    /** The key's actor could not take the request (its buffer is full). */
    OVERLOADED,
    /** This node cannot serve the key (for example its primer is not registered here). */
    INVALID_KEY,
    /** The compute read, directly or through other products, the key being computed. */
    DEPENDENCY_CYCLE,
    /** An augment named a version that is not the key's current one; nothing was applied. */
    VERSION_CONFLICT,
    /** An augment reached a key without a value; nothing was applied. */
    NOTHING_TO_AUGMENT,
    /** A delta was rejected (not of the primer's delta type, or its augment function threw). */
    INVALID_VALUE,
    /** The key has no value and the get (or the primer's miss policy) said not to compute one. */
    NOT_CACHED
  }

  private final Kind kind;
  private final String message;
  private final String causeClass;
  private final String causeMessage;
  @JsonIgnore private final transient Throwable cause;

  private Problem(Kind kind, String message, String causeClass, String causeMessage, Throwable cause) {
    this.kind = kind;
    this.message = message;
    this.causeClass = causeClass;
    this.causeMessage = causeMessage;
    this.cause = cause;
  }

  public static Problem of(Kind kind, String message, Throwable cause) {
    return new Problem(
        kind,
        message,
        cause == null ? null : cause.getClass().getName(),
        cause == null ? null : cause.getMessage(),
        cause);
  }

  @JsonCreator
  static Problem fromWire(
      @JsonProperty("kind") Kind kind,
      @JsonProperty("message") String message,
      @JsonProperty("causeClass") String causeClass,
      @JsonProperty("causeMessage") String causeMessage) {
    return new Problem(kind, message, causeClass, causeMessage, null);
  }

  @JsonProperty
  public Kind kind() {
    return kind;
  }

  @JsonProperty
  public String message() {
    return message;
  }

  @JsonProperty
  public String causeClass() {
    return causeClass;
  }

  @JsonProperty
  public String causeMessage() {
    return causeMessage;
  }

  /**
   * The original exception when the failure happened in this JVM; otherwise a {@link
   * RemoteFailure} describing it.
   */
  public Optional<Throwable> cause() {
    if (cause != null) {
      return Optional.of(cause);
    }
    return causeClass == null ? Optional.empty() : Optional.of(new RemoteFailure(causeClass, causeMessage));
  }

  /** The exception the facade (or a compute reading this key) throws for this problem. */
  public KckException toException(String key) {
    Throwable original = cause().orElse(null);
    return switch (kind) {
      case COMPUTE_FAILED -> new ComputeFailedException(key, message, original);
      case COMPUTE_TIMEOUT -> new ComputeTimeoutException(key, message, original);
      case UNAVAILABLE -> new KeyUnavailableException(key, message, original);
      case OVERLOADED -> new OverloadedException(key, message, original);
      case INVALID_KEY -> new InvalidKeyException(key, message, original);
      case DEPENDENCY_CYCLE -> new DependencyCycleException(key, message, original);
      case VERSION_CONFLICT -> new VersionConflictException(key, message, original);
      case NOTHING_TO_AUGMENT -> new NothingToAugmentException(key, message, original);
      case INVALID_VALUE -> new InvalidValueException(key, message, original);
      case NOT_CACHED -> new NotCachedException(key, message, original);
    };
  }

  @Override
  public String toString() {
    return kind + ": " + message;
  }

  /** An exception thrown on another node, known by its class name and message only. */
  public static final class RemoteFailure extends RuntimeException {
    private final String className;

    RemoteFailure(String className, String message) {
      super(className + (message == null ? "" : ": " + message), null, false, false);
      this.className = className;
    }

    /** The class name of the exception as it was thrown. */
    public String className() {
      return className;
    }
  }
}
