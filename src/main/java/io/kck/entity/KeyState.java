package io.kck.entity;

import io.kck.persistence.KckSerializable;
import io.kck.persistence.StoredValue;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The persistent state of one key: its value (absent before the first compute and after an
 * invalidation), the value's version and the time it was computed, and its place in the
 * dependency graph. Versions only go up, also across invalidations and forgetting ({@link
 * RetentionPolicy}), so a version names one value of the key for good. Immutable; the journal's
 * events and snapshots rebuild it.
 *
 * @param value the current value, or {@code null}
 * @param version the current value's version; 0 before the first value, or the last version of a
 *     forgotten key (its next value takes a higher one)
 * @param computedAt when the current (or last) value was computed or put; {@code null} before the
 *     first value and after a forgetting
 * @param inputs the products the last successful compute read, each with the version it read
 * @param lineage every product upstream of this value (inputs, their inputs, ...), each with the
 *     version this value was made from: what reads check for consistency and cycles
 * @param dependents the keys whose last compute read this one: told when it changes
 * @param outdatedBy the upstream versions that made this (lazy) value outdated; empty when it is
 *     current
 * @param usedAt when a caller last read or wrote the key, as far as the journal knows (reads are
 *     recorded at most once per retention touch interval); {@code null} in states journaled before
 *     KCK recorded it, which count from {@code computedAt}
 * @param supplied whether the value holds data from the application (a put, or a delta since the
 *     last compute): a compute would not make it again, so retention keeps it unless told otherwise
 * @param source the position of the last change of a source table this key applied (an outdate or a
 *     delta), or {@code null}: a change at or before it is not applied again ({@link SourcePosition})
 * @param expiry the current value's own freshness, or {@code null} when its primer's applies (and in
 *     states journaled before KCK recorded it)
 * @param format the value format of the current value's JSON ({@code Primer.valueFormat()}); 0 in
 *     states journaled before KCK recorded formats, which read as format 1
 * @param window when the compute that made the current value ran, in the source database's terms
 *     ({@link ComputeWindow}): which source changes the value holds; {@code null} for a value put,
 *     made by a primer without sources, or journaled before KCK recorded it (then every change
 *     after the value's position is applied to it)
 */
public record KeyState(
    StoredValue value,
    long version,
    Instant computedAt,
    Map<String, Long> inputs,
    Map<String, Long> lineage,
    Set<String> dependents,
    Map<String, Long> outdatedBy,
    Instant usedAt,
    boolean supplied,
    SourcePosition source,
    ValueExpiry expiry,
    int format,
    ComputeWindow window)
    implements KckSerializable {

  /** A state that has applied no change of a source table (states journaled before sources read so). */
  public KeyState(StoredValue value, long version, Instant computedAt, Map<String, Long> inputs,
      Map<String, Long> lineage, Set<String> dependents, Map<String, Long> outdatedBy, Instant usedAt, boolean supplied) {
    this(value, version, computedAt, inputs, lineage, dependents, outdatedBy, usedAt, supplied, null);
  }

  /** A state whose value has no freshness of its own, in the first value format (states journaled before either). */
  public KeyState(StoredValue value, long version, Instant computedAt, Map<String, Long> inputs,
      Map<String, Long> lineage, Set<String> dependents, Map<String, Long> outdatedBy, Instant usedAt, boolean supplied,
      SourcePosition source) {
    this(value, version, computedAt, inputs, lineage, dependents, outdatedBy, usedAt, supplied, source, null, 0);
  }

  /** A state whose value came from no compute of a primer with sources (states journaled before KCK recorded it). */
  public KeyState(StoredValue value, long version, Instant computedAt, Map<String, Long> inputs,
      Map<String, Long> lineage, Set<String> dependents, Map<String, Long> outdatedBy, Instant usedAt, boolean supplied,
      SourcePosition source, ValueExpiry expiry, int format) {
    this(value, version, computedAt, inputs, lineage, dependents, outdatedBy, usedAt, supplied, source, expiry, format,
        null);
  }

  /** The state of a key that never had a value. */
  public static final KeyState EMPTY = new KeyState(null, 0L, null, Map.of(), Map.of(), Set.of(), Map.of(), null, false, null);

  public KeyState {
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    lineage = lineage == null ? Map.of() : Map.copyOf(lineage);
    dependents = dependents == null ? Set.of() : Set.copyOf(dependents);
    outdatedBy = outdatedBy == null ? Map.of() : Map.copyOf(outdatedBy);
  }

  /** The key's lifecycle as far as the journal knows it. */
  public enum Status {
    /** Never computed (or forgotten since). */
    EMPTY,
    /** Has a value. */
    READY,
    /** Had a value, dropped by an invalidation. */
    INVALIDATED
  }

  public boolean hasValue() {
    return value != null;
  }

  public boolean outdated() {
    return !outdatedBy.isEmpty();
  }

  public Status status() {
    if (value != null) {
      return Status.READY;
    }
    return computedAt == null ? Status.EMPTY : Status.INVALIDATED;
  }

  /** When a caller last used the key, as far as the journal knows; {@code null} if never. */
  public Instant lastUsed() {
    return usedAt != null ? usedAt : computedAt;
  }

  /**
   * What a reader of this value is reading: the lineage plus this key at its version. A dependent's
   * lineage is the union of these over its inputs.
   */
  public Map<String, Long> lineageWith(String self) {
    Map<String, Long> all = new HashMap<>(lineage);
    all.put(self, version);
    return all;
  }

  /** The value format of the current value: 1 for a value journaled before KCK recorded formats. */
  public int valueFormat() {
    return Math.max(1, format);
  }

  /** The same state with {@code migrated}, its value read into {@code newFormat}. */
  public KeyState migrated(StoredValue migrated, int newFormat) {
    return new KeyState(migrated, version, computedAt, inputs, lineage, dependents, outdatedBy, usedAt, supplied, source,
        expiry, newFormat, window);
  }

  /** The same state without its value (as an invalidation leaves it). */
  public KeyState withoutValue() {
    return new KeyState(null, version, computedAt, inputs, lineage, dependents, Map.of(), usedAt, false, source);
  }

  /**
   * The state after {@code applied}, whose new value ({@code next}) the caller computed. A delta
   * that followed an input's moved the inputs on, and a recompute would make it again; one from
   * the application ({@code augment}) left them as they were, and only the application has it. The
   * window stays: the value still holds what its compute read, and the deltas since.
   */
  public KeyState withDelta(KeyEvent.DeltaApplied applied, StoredValue next) {
    boolean fromApplication = applied.inputs().equals(inputs);
    return new KeyState(next, applied.version(), computedAt, applied.inputs(), applied.lineage(), dependents, outdatedBy,
        applied.appliedAt(), supplied || fromApplication, SourcePosition.later(source, applied.source()), expiry, format,
        window);
  }

  public KeyState apply(KeyEvent event) {
    if (event instanceof KeyEvent.ValueStored stored) {
      return new KeyState(stored.value(), stored.version(), stored.computedAt(), stored.inputs(), stored.lineage(),
          dependents, Map.of(), stored.computedAt(), stored.origin() == KeyEvent.Origin.PUT, source, stored.expiry(),
          stored.format(), stored.window());
    }
    if (event instanceof KeyEvent.ValueConfirmed confirmed) {
      return new KeyState(value, version, confirmed.computedAt(), confirmed.inputs(), confirmed.lineage(), dependents,
          Map.of(), confirmed.computedAt(), false, source, confirmed.expiry(), format, confirmed.window());
    }
    if (event instanceof KeyEvent.ValueDropped dropped) {
      return new KeyState(null, version, computedAt, inputs, lineage, dependents, Map.of(), dropped.at(), false, source);
    }
    if (event instanceof KeyEvent.SourceChanged changed) {
      return new KeyState(null, version, computedAt, inputs, lineage, dependents, Map.of(), usedAt, false,
          SourcePosition.later(source, changed.position()));
    }
    if (event instanceof KeyEvent.SourceHeld held) {
      return new KeyState(value, version, computedAt, inputs, lineage, dependents, outdatedBy, usedAt, supplied,
          SourcePosition.later(source, held.position()), expiry, format, window);
    }
    if (event instanceof KeyEvent.ValueOutdated outdated) {
      Map<String, Long> cause = new HashMap<>(outdatedBy);
      outdated.cause().forEach((k, v) -> cause.merge(k, v, Math::max));
      return new KeyState(value, version, computedAt, inputs, lineage, dependents, cause,
          usedAt, supplied, source, expiry, format, window);
    }
    if (event instanceof KeyEvent.DependentAdded added) {
      Set<String> more = new HashSet<>(dependents);
      more.add(added.dependent());
      return new KeyState(value, version, computedAt, inputs, lineage, more, outdatedBy,
          usedAt, supplied, source, expiry, format, window);
    }
    if (event instanceof KeyEvent.DependentRemoved removed) {
      Set<String> fewer = new HashSet<>(dependents);
      fewer.remove(removed.dependent());
      return new KeyState(value, version, computedAt, inputs, lineage, fewer, outdatedBy,
          usedAt, supplied, source, expiry, format, window);
    }
    if (event instanceof KeyEvent.KeyUsed used) {
      return new KeyState(value, version, computedAt, inputs, lineage, dependents, outdatedBy,
          used.at(), supplied, source, expiry, format, window);
    }
    if (event instanceof KeyEvent.Forgotten forgotten) {
      return new KeyState(null, Math.max(version, forgotten.version()), null, Map.of(), Map.of(), Set.of(), Map.of(),
          null, false, source);
    }
    throw new IllegalArgumentException("Unknown event " + event);
  }
}
