package io.kck.entity;

import io.kck.persistence.KckSerializable;
import io.kck.persistence.StoredValue;
import java.time.Instant;

/**
 * A key's value with its metadata, as the key's actor answers it.
 *
 * @param key the canonical key
 * @param value the value, or {@code null} after an invalidation
 * @param version the value's version (0 when the key never had one)
 * @param computedAt when the value was computed or put
 */
public record EntryData(String key, StoredValue value, long version, Instant computedAt)
    implements KckSerializable {}
