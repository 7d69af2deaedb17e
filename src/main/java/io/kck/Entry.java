package io.kck;

import org.jspecify.annotations.Nullable;
import java.time.Instant;

/**
 * A key's value with its metadata, as {@link Kck#getEntry}, {@link Kck#refreshEntry} and {@link
 * Kck#put} return it.
 *
 * @param key the canonical key
 * @param value the value; shared with every other reader of this version, so treat it as
 *     immutable
 * @param version the value's version: it only goes up, across restarts and invalidations, and
 *     names one value of the key for good, so it can serve as an ETag or a "changed since" marker.
 *     It goes up by one with every new value of a key that was never forgotten. A key forgotten by
 *     the retention ({@code kck.retention}) does not start again at 1: its next value, and the
 *     first value of any key new to its primer after that, numbers above the highest version the
 *     primer ever forgot (the primer's version floor). Compare versions; do not count them
 * @param computedAt when the value was computed (or put)
 * @param stale whether the value is older than its primer's freshness policy allows: served while
 *     a background refresh runs (stale-while-revalidate), or because the refresh failed (then
 *     {@code lastError} says why)
 * @param refreshing whether a compute of the key was running when it answered
 * @param lastError the message of the last failed compute of the key, if one failed since the
 *     last success; otherwise {@code null}
 * @param nextAttemptAt when the key computes next without being asked (its periodic refresh, or
 *     the retry after a failure); {@code null} when nothing is scheduled
 * @param freshUntil until when the value is fresh: its own expiry or refresh time ({@link
 *     io.kck.primer.ValueFreshness}), else its primer's soft age or next periodic refresh; {@code
 *     null} when nothing ages it (never expires), and in entries a node of an earlier release made
 * @param <V> the primer's value type
 */
public record Entry<V>(
    String key,
    V value,
    long version,
    Instant computedAt,
    boolean stale,
    boolean refreshing,
    @Nullable String lastError,
    @Nullable Instant nextAttemptAt,
    @Nullable Instant freshUntil) {

  /** An entry that does not say until when it is fresh. */
  public Entry(String key, V value, long version, Instant computedAt, boolean stale, boolean refreshing,
      @Nullable String lastError, @Nullable Instant nextAttemptAt) {
    this(key, value, version, computedAt, stale, refreshing, lastError, nextAttemptAt, null);
  }
}
