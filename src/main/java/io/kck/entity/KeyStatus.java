package io.kck.entity;

import io.kck.persistence.KckSerializable;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What a key's actor is doing right now, for diagnostics and tests: the journaled state and the
 * transient work around it.
 *
 * @param key the canonical key
 * @param status whether the key has a value
 * @param version the current (or last) value's version
 * @param computeInFlight the attempt number of the compute running now, 0 when none runs
 * @param waiting how many requests wait for a compute
 * @param retryAt while the key backs off after failed computes, when gets may compute again;
 *     otherwise {@code null}
 * @param outdated whether a (lazy) input changed since the value was made: the next get recomputes
 * @param inputs the keys the value was computed from, with the versions read
 * @param dependents the keys that read this one
 * @param computedAt when the current (or last) value was computed, put or last augmented from a
 *     compute; {@code null} before the first
 * @param hookFailure the last failure of a hook on this key (since it started), or {@code null}
 * @param deltasSetAside how many journaled deltas the augment function refused when the key
 *     loaded (they were skipped; the others applied)
 * @param incident the last thing the key set aside or dropped since it started (a delta refused
 *     on replay, a stored value that no longer reads as the primer's type), or {@code null}
 */
public record KeyStatus(
    String key,
    KeyState.Status status,
    long version,
    long computeInFlight,
    int waiting,
    Instant retryAt,
    boolean outdated,
    Map<String, Long> inputs,
    Set<String> dependents,
    Instant computedAt,
    String hookFailure,
    int deltasSetAside,
    String incident)
    implements KckSerializable {}
