package io.kck.primer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a value stored in an older value format of its primer ({@link Primer#valueFormat()}) as the
 * primer's value type now: given the stored JSON as Jackson's tree, returns the value. Applied on the
 * key's actor when the key loads (its journal replays, or its snapshot is read) and finds a value of
 * that format, each time it loads until a value of the current format is stored: keep it quick, free
 * of I/O and deterministic. It must not return null.
 *
 * <p>A migration that throws (or returns null, or a value of another type) leaves the value
 * unreadable: the key drops it, logs why, and computes anew, as for a format without a migration.
 *
 * @param <V> the primer's value type
 */
@FunctionalInterface
public interface ValueMigration<V> {
  /** The value {@code stored} (the JSON of an older format) reads as now. */
  V migrate(JsonNode stored) throws Exception;
}
