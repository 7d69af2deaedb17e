package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * The compute ran past its timeout ({@code kck.compute.timeout}, or the primer's) and was
 * interrupted. Nothing was stored. A {@link ComputeFailedException} by class, so one catch covers
 * both; its {@link #kind()} is {@link Kind#COMPUTE_TIMEOUT} (HTTP 504).
 */
public final class ComputeTimeoutException extends ComputeFailedException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public ComputeTimeoutException(String key, String message, @Nullable Throwable cause) {
    super(Kind.COMPUTE_TIMEOUT, key, message, cause);
  }
}
