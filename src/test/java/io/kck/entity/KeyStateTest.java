package io.kck.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.entity.KeyEvent.DependentAdded;
import io.kck.entity.KeyEvent.DependentRemoved;
import io.kck.entity.KeyEvent.Origin;
import io.kck.entity.KeyEvent.ValueConfirmed;
import io.kck.entity.KeyEvent.ValueDropped;
import io.kck.entity.KeyEvent.ValueOutdated;
import io.kck.entity.KeyEvent.ValueStored;
import io.kck.persistence.StoredValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** How the journal's events rebuild a key's state. */
@Tag("unit")
class KeyStateTest {
  private static final Instant T1 = Instant.parse("2024-03-01T12:00:00Z");
  private static final Instant T2 = T1.plusSeconds(60);
  private static final StoredValue FIRST = value("first");
  private static final StoredValue SECOND = value("second");

  private static StoredValue value(String text) {
    return StoredValue.encoded(text, ("\"" + text + "\"").getBytes(StandardCharsets.UTF_8));
  }

  /** A key with a value made from A@1 that B reads. */
  private static KeyState ready() {
    return KeyState.EMPTY
        .apply(new ValueStored(1, T1, FIRST, Origin.COMPUTED, Map.of("A", 1L), Map.of("A", 1L, "R", 3L)))
        .apply(new DependentAdded("B"));
  }

  @Test
  void aKeyStartsEmptyAtVersionZero() {
    assertEquals(KeyState.Status.EMPTY, KeyState.EMPTY.status());
    assertEquals(0, KeyState.EMPTY.version());
    assertFalse(KeyState.EMPTY.hasValue());
  }

  @Test
  void aStoredValueReplacesValueVersionTimeAndEdgesButKeepsDependents() {
    KeyState after = ready().apply(new ValueStored(2, T2, SECOND, Origin.COMPUTED, Map.of("C", 4L), Map.of("C", 4L)));

    assertSame(SECOND, after.value());
    assertEquals(2, after.version());
    assertEquals(T2, after.computedAt());
    assertEquals(Map.of("C", 4L), after.inputs());
    assertEquals(Map.of("C", 4L), after.lineage());
    assertEquals(Set.of("B"), after.dependents());
    assertEquals(KeyState.Status.READY, after.status());
  }

  @Test
  void aStoredValueIsNoLongerOutdated() {
    KeyState outdated = ready().apply(new ValueOutdated(Map.of("A", 2L)));

    KeyState after = outdated.apply(new ValueStored(2, T2, SECOND, Origin.PUT, outdated.inputs(), outdated.lineage()));

    assertFalse(after.outdated());
  }

  @Test
  void aConfirmedValueKeepsValueAndVersionAndMovesTimeAndEdgesOn() {
    KeyState before = ready().apply(new ValueOutdated(Map.of("A", 2L)));

    KeyState after = before.apply(new ValueConfirmed(T2, Map.of("A", 2L), Map.of("A", 2L, "R", 3L)));

    assertSame(FIRST, after.value());
    assertEquals(1, after.version(), "early cutoff: nobody is told of a new version");
    assertEquals(T2, after.computedAt());
    assertEquals(Map.of("A", 2L), after.inputs());
    assertEquals(Map.of("A", 2L, "R", 3L), after.lineage());
    assertFalse(after.outdated());
    assertEquals(Set.of("B"), after.dependents());
  }

  @Test
  void aDroppedValueLeavesAnInvalidatedKeyThatKeepsItsVersionAndEdges() {
    KeyState before = ready().apply(new ValueOutdated(Map.of("A", 2L)));

    KeyState after = before.apply(new ValueDropped(T2));

    assertNull(after.value());
    assertEquals(KeyState.Status.INVALIDATED, after.status());
    assertEquals(1, after.version(), "versions only go up: the next value is version 2");
    assertEquals(T1, after.computedAt());
    assertEquals(before.inputs(), after.inputs());
    assertEquals(before.lineage(), after.lineage());
    assertEquals(Set.of("B"), after.dependents());
    assertFalse(after.outdated());
  }

  @Test
  void outdatingCausesAccumulateKeepingTheNewerVersionOfEachKey() {
    KeyState after = ready()
        .apply(new ValueOutdated(Map.of("A", 2L, "R", 5L)))
        .apply(new ValueOutdated(Map.of("A", 3L, "R", 4L, "S", 1L)));

    assertTrue(after.outdated());
    assertEquals(Map.of("A", 3L, "R", 5L, "S", 1L), after.outdatedBy());
    assertSame(FIRST, after.value(), "the old value stays until a get recomputes it");
    assertEquals(1, after.version());
  }

  @Test
  void dependentsAreASet() {
    KeyState state = ready().apply(new DependentAdded("C")).apply(new DependentAdded("B"));
    assertEquals(Set.of("B", "C"), state.dependents());

    state = state.apply(new DependentRemoved("B")).apply(new DependentRemoved("nobody"));
    assertEquals(Set.of("C"), state.dependents());
  }

  @Test
  void dependentChangesLeaveTheValueAlone() {
    KeyState before = ready().apply(new ValueOutdated(Map.of("A", 2L)));

    KeyState after = before.apply(new DependentAdded("C")).apply(new DependentRemoved("C"));

    assertEquals(before, after);
  }

  @Test
  void aReaderReadsTheLineagePlusThisKeyAtItsVersion() {
    KeyState state = ready();

    assertEquals(Map.of("A", 1L, "R", 3L, "self", 1L), state.lineageWith("self"));
    assertEquals(Map.of("A", 1L, "R", 3L), state.lineage(), "the state's own lineage is unchanged");
  }

  @Test
  void theStateCopiesTheMapsItIsGiven() {
    Map<String, Long> inputs = new HashMap<>(Map.of("A", 1L));
    Map<String, Long> lineage = new HashMap<>(Map.of("A", 1L));
    Set<String> dependents = new HashSet<>(Set.of("B"));
    Map<String, Long> outdatedBy = new HashMap<>(Map.of("A", 2L));
    KeyState state = new KeyState(FIRST, 1, T1, inputs, lineage, dependents, outdatedBy, T1, false);

    inputs.put("X", 9L);
    lineage.put("X", 9L);
    dependents.add("X");
    outdatedBy.clear();

    assertEquals(Map.of("A", 1L), state.inputs());
    assertEquals(Map.of("A", 1L), state.lineage());
    assertEquals(Set.of("B"), state.dependents());
    assertEquals(Map.of("A", 2L), state.outdatedBy());
    assertThrows(UnsupportedOperationException.class, () -> state.lineage().put("X", 9L));
    assertThrows(UnsupportedOperationException.class, () -> state.dependents().add("X"));
  }

  @Test
  void missingMapsReadAsEmpty() {
    KeyState state = new KeyState(null, 0, null, null, null, null, null, null, false);

    assertEquals(KeyState.EMPTY, state);
  }

  @Test
  void aDeltaIsNotAppliedByTheStateItself() {
    // Its value is made by the primer's augment function: the event handler routes it to Deltas.
    KeyEvent.DeltaApplied delta = new KeyEvent.DeltaApplied(2, T2, SECOND, Map.of(), Map.of());

    assertThrows(IllegalArgumentException.class, () -> ready().apply(delta));
  }

  @Test
  void aDeltaMovesValueVersionAndEdgesOnButKeepsComputedAtDependentsAndOutdatedness() {
    KeyState before = ready().apply(new ValueOutdated(Map.of("A", 2L)));

    KeyState after = before.withDelta(
        new KeyEvent.DeltaApplied(2, T2, value("delta"), Map.of("A", 2L), Map.of("A", 2L)), SECOND);

    assertSame(SECOND, after.value());
    assertEquals(2, after.version());
    assertEquals(T1, after.computedAt());
    assertEquals(Map.of("A", 2L), after.inputs());
    assertEquals(Map.of("A", 2L), after.lineage());
    assertEquals(Set.of("B"), after.dependents());
    assertEquals(Map.of("A", 2L), after.outdatedBy());
  }

  @Test
  void useIsWhenACallerLastReadOrWroteAndSuppliedDataIsWhatNoComputeMakesAgain() {
    Instant t3 = T2.plusSeconds(60);
    assertEquals(T1, ready().lastUsed(), "a compute is a use");
    assertFalse(ready().supplied());
    assertEquals(T2, ready().apply(new KeyEvent.KeyUsed(T2)).lastUsed(), "a read recorded");
    assertEquals(T2, ready().apply(new KeyEvent.KeyUsed(T2)).apply(new DependentAdded("C")).lastUsed(), "an edge is no use");

    KeyState put = ready().apply(new ValueStored(2, T2, SECOND, Origin.PUT, Map.of("A", 1L), Map.of("A", 1L)));
    assertTrue(put.supplied(), "a put");
    assertFalse(put.apply(new ValueStored(3, t3, FIRST, Origin.COMPUTED, Map.of(), Map.of())).supplied(), "recomputed");
    KeyState augmented = ready().withDelta(new KeyEvent.DeltaApplied(2, T2, value("d"), Map.of("A", 1L), Map.of("A", 1L)), SECOND);
    assertTrue(augmented.supplied(), "an augment by the application leaves the inputs as they were");
    assertEquals(T2, augmented.lastUsed());
    KeyState followed = ready().withDelta(new KeyEvent.DeltaApplied(2, T2, value("d"), Map.of("A", 2L), Map.of("A", 2L)), SECOND);
    assertFalse(followed.supplied(), "a delta that followed an input's is made again by a compute");

    KeyState forgotten = put.apply(new KeyEvent.Forgotten(t3, 2));
    assertEquals(KeyState.Status.EMPTY, forgotten.status(), "forgotten: a new key");
    assertEquals(new KeyState(null, 2, null, Map.of(), Map.of(), java.util.Set.of(), Map.of(), null, false), forgotten,
        "nothing of it is left but its last version, which its next value counts on from");
    assertEquals(KeyState.Status.INVALIDATED, put.apply(new KeyEvent.ValueDropped(t3)).status());
  }
}
