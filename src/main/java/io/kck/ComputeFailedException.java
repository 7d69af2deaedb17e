package io.kck;

/**
 * The primer's compute threw. {@link #getCause()} is the exception it threw (on another node of
 * a cluster: a {@link io.kck.entity.Problem.RemoteFailure} with its class name and message).
 * Nothing was stored; the key keeps the value it had, if any.
 */
public class ComputeFailedException extends KckException {
  public ComputeFailedException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
