package io.kck.entity;

import io.kck.persistence.KckSerializable;
import io.kck.persistence.StoredValue;
import java.time.Instant;
import java.util.Map;

/** What happened to a key, as journaled. Replaying these rebuilds its {@link KeyState}. */
public sealed interface KeyEvent extends KckSerializable {

  /** Where a stored value came from. */
  enum Origin {
    /** The primer computed it. */
    COMPUTED,
    /** The application supplied it with {@code put}. */
    PUT
  }

  /**
   * A new value replaced the key's value (if any); {@code version} is the previous plus one.
   * {@code inputs} and {@code lineage} are what the compute read (a put keeps the key's edges).
   * {@code expiry}: the value's own freshness, or null when its primer's applies. {@code format}: the
   * primer's value format the JSON was written in ({@code Primer.valueFormat()}); 0 in events
   * journaled before KCK recorded formats, which read as format 1. {@code window}: when the compute
   * ran in the source database's terms, for a primer with source tables; null otherwise (a put, a
   * primer without sources, events journaled before KCK recorded it).
   */
  record ValueStored(
      long version,
      Instant computedAt,
      StoredValue value,
      Origin origin,
      Map<String, Long> inputs,
      Map<String, Long> lineage,
      ValueExpiry expiry,
      int format,
      ComputeWindow window)
      implements KeyEvent {

    /** A value of the first format, without freshness of its own. */
    public ValueStored(long version, Instant computedAt, StoredValue value, Origin origin, Map<String, Long> inputs,
        Map<String, Long> lineage) {
      this(version, computedAt, value, origin, inputs, lineage, null, 0);
    }

    /** A value made without reading source tables (or put). */
    public ValueStored(long version, Instant computedAt, StoredValue value, Origin origin, Map<String, Long> inputs,
        Map<String, Long> lineage, ValueExpiry expiry, int format) {
      this(version, computedAt, value, origin, inputs, lineage, expiry, format, null);
    }

    /** The same event with {@code migrated}, the value read into {@code newFormat}. */
    public ValueStored migrated(StoredValue migrated, int newFormat) {
      return new ValueStored(version, computedAt, migrated, origin, inputs, lineage, expiry, newFormat, window);
    }
  }

  /**
   * A recompute produced the value the key already had (early cutoff): the version stays, nobody is
   * told; its computed-at time, its own freshness ({@code expiry}, null when its primer's applies)
   * and the inputs and lineage it was made from move on, as does its {@code window} (see {@link
   * ValueStored}; null when none).
   */
  record ValueConfirmed(Instant computedAt, Map<String, Long> inputs, Map<String, Long> lineage, ValueExpiry expiry,
      ComputeWindow window)
      implements KeyEvent {

    /** A confirmation without freshness of its own. */
    public ValueConfirmed(Instant computedAt, Map<String, Long> inputs, Map<String, Long> lineage) {
      this(computedAt, inputs, lineage, null, null);
    }

    /** A confirmation by a compute that read no source table. */
    public ValueConfirmed(Instant computedAt, Map<String, Long> inputs, Map<String, Long> lineage, ValueExpiry expiry) {
      this(computedAt, inputs, lineage, expiry, null);
    }
  }

  /**
   * A delta was applied to the value in place ({@code augment}, or a delta derived from an input's
   * delta): the new value is the primer's augment function of the previous value and {@code
   * delta}. Small: the value itself is not journaled, replay applies the delta again. {@code inputs}
   * and {@code lineage} as after the delta (they move on when it came from an input). {@code source}:
   * the position of the source table's change the delta was made from, or null (from {@code augment},
   * or journaled before KCK read sources); a change at or before it is not applied twice.
   */
  record DeltaApplied(
      long version, Instant appliedAt, StoredValue delta, Map<String, Long> inputs, Map<String, Long> lineage,
      SourcePosition source)
      implements KeyEvent {

    /** A delta that no source table's change made. */
    public DeltaApplied(long version, Instant appliedAt, StoredValue delta, Map<String, Long> inputs,
        Map<String, Long> lineage) {
      this(version, appliedAt, delta, inputs, lineage, null);
    }

    /** The same delta, made from the source change at {@code position}. */
    public DeltaApplied from(SourcePosition position) {
      return new DeltaApplied(version, appliedAt, delta, inputs, lineage, position);
    }
  }

  /**
   * A row of a source table the key is made from changed (the change at {@code position}): its value
   * is dropped as by an invalidation (the next get computes) and the position recorded, so that the
   * change, delivered again after a restart, is not applied twice. The version is kept.
   */
  record SourceChanged(Instant at, SourcePosition position) implements KeyEvent {}

  /**
   * A change of a source table (at {@code position}) that the key's value already holds: its compute
   * began after the change's transaction committed ({@link ComputeWindow}). Nothing changes but the
   * position, recorded so that the change, delivered again after a restart, is skipped whatever the
   * value is by then.
   */
  record SourceHeld(Instant at, SourcePosition position) implements KeyEvent {}

  /** The value was invalidated: the next get computes. The version is kept. */
  record ValueDropped(Instant at) implements KeyEvent {}

  /** A lazy key's input changed: the next get recomputes. {@code cause}: the upstream versions. */
  record ValueOutdated(Map<String, Long> cause) implements KeyEvent {}

  /** A compute of {@code dependent} read this key: it is told of this key's new versions. */
  record DependentAdded(String dependent) implements KeyEvent {}

  /** {@code dependent}'s last compute no longer read this key. */
  record DependentRemoved(String dependent) implements KeyEvent {}

  /**
   * A caller read the key ({@code get}) and its last recorded use was older than the retention's
   * touch interval: what tells the retention sweep that the key is still wanted. Journaled at most
   * once per touch interval, and only for primers with a retention.
   */
  record KeyUsed(Instant at) implements KeyEvent {}

  /**
   * Nobody used the key for its primer's retention: its state is gone, its rows are deleted next.
   * Replayed (when the deletion did not happen), it leaves the state of a key that never existed,
   * except for {@code version}, the last version it had: its next value takes a higher one, so that
   * a version a client still holds never names a different value. (Once the rows are gone, the
   * primer's version floor remembers it: {@link VersionFloor}.) Journaled before KCK recorded the
   * version, it reads as 0.
   */
  record Forgotten(Instant at, long version) implements KeyEvent {}
}
