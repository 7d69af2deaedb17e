package io.kck;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a key's actor is doing, as {@link KckAdmin#inspect} reports it: for diagnostics, tests and
 * the HTTP page. A snapshot; it does not change.
 *
 * @param key the canonical key
 * @param state whether the key has a value
 * @param version the current (or last) value's version; 0 when it never had one
 * @param computing whether a compute of the key runs now
 * @param waiting how many requests wait for a compute
 * @param retryAt while the key backs off after failed computes, when gets may compute again
 * @param outdated whether a (lazy) input changed since the value was made: the next get recomputes
 * @param inputs the keys the value was computed from, with the versions read
 * @param dependents the keys that read this one
 * @param computedAt when the current (or last) value was computed or put
 * @param hookFailure the last failure of a {@link io.kck.primer.KeyHook} on this key since it started
 * @param deltasSetAside how many journaled deltas the augment function refused when the key loaded
 *     (they were skipped and logged; the others applied)
 * @param incident the last thing the key set aside or dropped since it started: a delta refused on
 *     replay, or a stored value that no longer reads as the primer's value type (dropped, computed
 *     anew)
 */
public record KeyInfo(
    String key,
    State state,
    long version,
    boolean computing,
    int waiting,
    @Nullable Instant retryAt,
    boolean outdated,
    Map<String, Long> inputs,
    Set<String> dependents,
    @Nullable Instant computedAt,
    @Nullable String hookFailure,
    int deltasSetAside,
    @Nullable String incident) {

  /** A key's lifecycle as far as its journal knows it. */
  public enum State {
    /** Never had a value. */
    EMPTY,
    /** Has a value. */
    READY,
    /** Had a value, dropped by an invalidation. */
    INVALIDATED
  }
}
