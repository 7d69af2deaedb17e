package io.kck.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lineage arithmetic, told through a diamond: B and C read A; D reads B and C. After A moves from
 * version 1 to 2 and B has recomputed, D must not combine the new B with a C still made from A@1.
 */
@Tag("unit")
class LineageTest {

  @Test
  void aRequirementIsNotSatisfiedByALineageThatIsBehind() {
    assertFalse(Lineage.satisfies(Map.of("A", 1L), Map.of("A", 2L)));
  }

  @Test
  void aRequirementIsSatisfiedByTheSameOrANewerVersion() {
    assertTrue(Lineage.satisfies(Map.of("A", 2L), Map.of("A", 2L)));
    assertTrue(Lineage.satisfies(Map.of("A", 3L), Map.of("A", 2L)));
  }

  @Test
  void keysAbsentFromTheLineageAreNotTheValuesConcern() {
    assertTrue(Lineage.satisfies(Map.of("A", 2L), Map.of("B", 7L)));
    assertTrue(Lineage.satisfies(Map.of(), Map.of("A", 2L)));
  }

  @Test
  void everyRequiredKeyMustBeSatisfied() {
    assertFalse(Lineage.satisfies(Map.of("A", 2L, "B", 1L), Map.of("A", 2L, "B", 2L)));
  }

  @Test
  void inTheDiamondDMustWaitForCToCatchUpWithTheNewA() {
    Map<String, Long> b = Map.of("A", 2L); // B recomputed from A@2
    Map<String, Long> c = Map.of("A", 1L); // C not yet
    // D's recompute, told by B, requires what B's new value was made from, and B itself.
    Map<String, Long> dRequires = Map.of("A", 2L, "B", 2L);

    assertTrue(Lineage.satisfies(b, dRequires), "B has seen A@2; B@2 is not in B's own lineage");
    assertFalse(Lineage.satisfies(c, dRequires), "C made from A@1 must recompute before D reads it");
    assertTrue(Lineage.satisfies(Map.of("A", 2L), dRequires));
    assertTrue(Lineage.satisfies(Map.of("A", 3L), dRequires));
  }

  @Test
  void theDiamondsLineageIsTheUnionOfItsInputsKeepingTheNewerVersion() {
    Map<String, Long> fromB = Map.of("A", 2L, "B", 2L);
    Map<String, Long> fromC = Map.of("A", 1L, "C", 1L);

    assertEquals(Map.of("A", 2L, "B", 2L, "C", 1L), Lineage.merged(fromB, fromC));
    assertEquals(Map.of("A", 2L, "B", 2L, "C", 1L), Lineage.merged(fromC, fromB));
  }

  @Test
  void mergedLeavesBothOperandsAlone() {
    Map<String, Long> a = new HashMap<>(Map.of("A", 1L));
    Map<String, Long> b = new HashMap<>(Map.of("A", 2L));

    Lineage.merged(a, b);

    assertEquals(Map.of("A", 1L), a);
    assertEquals(Map.of("A", 2L), b);
  }

  @Test
  void mergeIntoKeepsTheNewerVersionOfEachKeyAndNeverGoesBack() {
    Map<String, Long> into = new HashMap<>(Map.of("A", 3L, "B", 1L));

    Lineage.mergeInto(into, Map.of("A", 2L, "B", 4L, "C", 5L));

    assertEquals(Map.of("A", 3L, "B", 4L, "C", 5L), into);
  }

  @Test
  void aRunningComputePromisedTheNeededVersionCoversACallerThatTheValueDoesNot() {
    Map<String, Long> lineage = Map.of("A", 1L);
    Map<String, Long> needs = Map.of("A", 2L);

    assertTrue(Lineage.covers(Map.of("A", 2L), needs, lineage));
    assertTrue(Lineage.covers(Map.of("A", 3L), needs, lineage));
    assertFalse(Lineage.covers(Map.of("A", 1L), needs, lineage));
    assertFalse(Lineage.covers(Map.of(), needs, lineage), "a compute promised nothing may read A@1 again");
  }

  @Test
  void coversNeedsNoPromiseForWhatTheValueHasAlreadySeenOrDoesNotDependOn() {
    assertTrue(Lineage.covers(Map.of(), Map.of("A", 2L), Map.of("A", 2L)));
    assertTrue(Lineage.covers(Map.of(), Map.of("Z", 9L), Map.of("A", 1L)));
  }

  @Test
  void pruneDropsWhatTheLineageHasSeenAndWhatItDoesNotDependOn() {
    Map<String, Long> required = new HashMap<>(Map.of("A", 2L, "B", 5L, "C", 3L, "Z", 1L));

    Lineage.prune(required, Map.of("A", 2L, "B", 4L, "C", 7L));

    assertEquals(Map.of("B", 5L), required, "only B is still behind");
  }
}
