package io.kck.entity;

import io.kck.persistence.KckSerializable;
import io.kck.persistence.StoredValue;
import java.time.Instant;

/**
 * The persistent state of one key: its value (absent before the first compute and after an
 * invalidation), the value's version and the time it was computed. Versions only go up, also
 * across invalidations, so a version names one value for the lifetime of the key. Immutable; the
 * journal's events and snapshots rebuild it.
 *
 * @param value the current value, or {@code null}
 * @param version the current value's version; 0 before the first value
 * @param computedAt when the current (or last) value was computed or put; {@code null} before
 */
public record KeyState(StoredValue value, long version, Instant computedAt) implements KckSerializable {

  /** The state of a key that never had a value. */
  public static final KeyState EMPTY = new KeyState(null, 0L, null);

  /** The key's lifecycle as far as the journal knows it. */
  public enum Status {
    /** Never computed. */
    EMPTY,
    /** Has a value. */
    READY,
    /** Had a value, dropped by an invalidation. */
    INVALIDATED
  }

  public boolean hasValue() {
    return value != null;
  }

  public Status status() {
    if (value != null) {
      return Status.READY;
    }
    return version == 0 ? Status.EMPTY : Status.INVALIDATED;
  }

  KeyState apply(KeyEvent event) {
    if (event instanceof KeyEvent.ValueStored stored) {
      return new KeyState(stored.value(), stored.version(), stored.computedAt());
    }
    if (event instanceof KeyEvent.ValueDropped) {
      return new KeyState(null, version, computedAt);
    }
    throw new IllegalArgumentException("Unknown event " + event);
  }
}
