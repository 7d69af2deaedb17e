package io.kck;

import java.time.Instant;

/**
 * A key's value with its metadata, as {@link Kck#getEntry} and {@link Kck#put} return it.
 *
 * @param key the canonical key
 * @param value the value; shared with every other reader of this version, so treat it as
 *     immutable
 * @param version the value's version: it goes up by one with every new value of the key, across
 *     restarts and invalidations, so it can serve as an ETag or a "changed since" marker
 * @param computedAt when the value was computed (or put)
 * @param <V> the primer's value type
 */
public record Entry<V>(String key, V value, long version, Instant computedAt) {}
