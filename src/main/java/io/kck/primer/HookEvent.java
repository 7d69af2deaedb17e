package io.kck.primer;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link KeyHook} is told.
 *
 * @param action what happens to the key
 * @param phase before it happens, or after
 * @param key the canonical key
 * @param version after: the key's version once it happened (0 when it failed); before: the
 *     version it starts from
 * @param delta for an augment: the delta; otherwise {@code null}
 * @param failure after: why it failed, or {@code null} when it succeeded; before: {@code null}
 */
public record HookEvent(Action action, Phase phase, String key, long version, @Nullable Object delta, @Nullable Throwable failure) {

  /** What happens to a key. */
  public enum Action {
    /** The primer computes the key (on a miss, a refresh, a timer, or an input's change). */
    COMPUTE,
    /** A value is put. */
    PUT,
    /** A refresh was asked for (its compute is reported as COMPUTE too). */
    REFRESH,
    /** The value is dropped. */
    INVALIDATE,
    /** A delta is applied (asked for, or following an input's delta). */
    AUGMENT
  }

  /** Before the action, or once it is done (journaled) or has failed. */
  public enum Phase {
    /** Before the action starts. */
    BEFORE,
    /** Once it is journaled, or has failed ({@code failure} says why). */
    AFTER
  }
}
