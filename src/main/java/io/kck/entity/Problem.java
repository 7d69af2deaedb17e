package io.kck.entity;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.kck.errors.KckException;
import io.kck.errors.KckExceptions;
import io.kck.errors.RemoteFailure;
import io.kck.persistence.KckSerializable;
import java.util.Optional;

/**
 * Why a key could not answer, in a form that crosses the network: a {@link KckException.Kind}, a
 * message naming the key, and the class and message of the underlying exception. On the node where
 * the failure happened the exception itself rides along (not serialized), so local callers get the
 * original cause, remote callers a faithful description of it.
 */
public final class Problem implements KckSerializable {
  private final KckException.Kind kind;
  private final String message;
  private final String causeClass;
  private final String causeMessage;
  @JsonIgnore private final transient Throwable cause;

  private Problem(KckException.Kind kind, String message, String causeClass, String causeMessage, Throwable cause) {
    this.kind = kind;
    this.message = message;
    this.causeClass = causeClass;
    this.causeMessage = causeMessage;
    this.cause = cause;
  }

  public static Problem of(KckException.Kind kind, String message, Throwable cause) {
    return new Problem(
        kind, message, cause == null ? null : cause.getClass().getName(), cause == null ? null : cause.getMessage(), cause);
  }

  @JsonCreator
  static Problem fromWire(
      @JsonProperty("kind") KckException.Kind kind,
      @JsonProperty("message") String message,
      @JsonProperty("causeClass") String causeClass,
      @JsonProperty("causeMessage") String causeMessage) {
    return new Problem(kind, message, causeClass, causeMessage, null);
  }

  @JsonProperty
  public KckException.Kind kind() {
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

  /** The original exception in the JVM where it happened; elsewhere a {@link RemoteFailure}. */
  public Optional<Throwable> cause() {
    if (cause != null) {
      return Optional.of(cause);
    }
    return causeClass == null ? Optional.empty() : Optional.of(new RemoteFailure(causeClass, causeMessage));
  }

  /** The same problem with another message (the cause stays). */
  public Problem withMessage(String newMessage) {
    return new Problem(kind, newMessage, causeClass, causeMessage, cause);
  }

  /** The exception the facade, a tracked read and the HTTP service report for this problem. */
  public KckException toException(String key) {
    return KckExceptions.of(kind, key, message, cause().orElse(null));
  }

  @Override
  public String toString() {
    return kind + ": " + message;
  }
}
