package io.kck;

/**
 * The compute ran past its timeout ({@code kck.compute.timeout}, or the primer's) and was
 * interrupted. Nothing was stored.
 */
public final class ComputeTimeoutException extends ComputeFailedException {
  public ComputeTimeoutException(String key, String message, Throwable cause) {
    super(key, message, cause);
  }
}
