package io.kck.primer;

import java.util.Optional;

/**
 * What a compute may know besides its key. Valid only during the {@link Primer#compute} call it
 * was given to; not thread-safe beyond that call.
 *
 * @param <V> the primer's value type
 */
public interface ComputeContext<V> {

  /**
   * The value this compute will replace, if the key had one (a refresh, or a recompute after a
   * timer): lets a primer build incrementally on what it had.
   */
  Optional<V> previousValue();

  /** The version of {@link #previousValue()}, or 0 when the key has never had a value. */
  long previousVersion();
}
