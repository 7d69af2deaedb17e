package io.kck.entity;

import io.kck.persistence.KckSerializable;
import io.kck.persistence.StoredValue;
import java.time.Instant;
import java.util.Map;

/**
 * A key's value with its metadata, as the key's actor answers it.
 *
 * @param key the canonical key
 * @param value the value, or {@code null} after an invalidation
 * @param version the value's version (0 when the key never had one)
 * @param computedAt when the value was computed or put
 * @param stale whether the value is past its freshness policy (served while a refresh runs, or
 *     because the refresh failed: see {@code lastError})
 * @param refreshing whether a compute of the key is running now
 * @param lastError the message of the last failed compute, if it failed since the last success
 * @param nextAttemptAt when the key computes next on its own: its periodic refresh, or the end of
 *     the backoff after a failure; {@code null} when nothing is scheduled
 * @param lineage the upstream products this value was made from, with their versions (see {@link
 *     KeyState#lineage()}); empty for a product that reads no other
 * @param freshUntil until when the value is fresh by its own freshness or its primer's policy (its
 *     expiry, soft age or next refresh), or {@code null} when nothing ages it (and in entries of nodes
 *     of earlier releases)
 */
public record EntryData(
    String key,
    StoredValue value,
    long version,
    Instant computedAt,
    boolean stale,
    boolean refreshing,
    String lastError,
    Instant nextAttemptAt,
    Map<String, Long> lineage,
    Instant freshUntil)
    implements KckSerializable {

  /** An entry that does not say until when it is fresh. */
  public EntryData(String key, StoredValue value, long version, Instant computedAt, boolean stale, boolean refreshing,
      String lastError, Instant nextAttemptAt, Map<String, Long> lineage) {
    this(key, value, version, computedAt, stale, refreshing, lastError, nextAttemptAt, lineage, null);
  }
}
