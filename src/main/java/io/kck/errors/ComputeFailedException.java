package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * The primer's compute threw. {@link #getCause()} is the exception it threw (on another node of a
 * cluster: a {@link RemoteFailure} with its class name and message). Nothing was stored; the key
 * keeps the value it had, if any.
 */
public class ComputeFailedException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public ComputeFailedException(String key, String message, @Nullable Throwable cause) {
    this(Kind.COMPUTE_FAILED, key, message, cause);
  }

  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  ComputeFailedException(Kind kind, String key, String message, @Nullable Throwable cause) {
    super(kind, key, message, cause);
  }
}
