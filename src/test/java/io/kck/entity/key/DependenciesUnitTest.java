package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.entity.ComputeReads;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyState;
import io.kck.entity.Wave;
import io.kck.persistence.StoredValue;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.Propagation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One key's part in the dependency graph, without an actor: what its next compute must see, which
 * changes are news, how eager recomputes coalesce, and what it tells its inputs and dependents
 * (other keys are inboxes here). The key under test is {@code D} of the diamond A -> B, A -> C,
 * (B, C) -> D.
 */
@Tag("unit")
class DependenciesUnitTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final Primer<String> LAZY = Primer.builder("deps-lazy", String.class).parameters(ID)
      .compute((key, context) -> "never runs here").build();
  static final Primer<String> EAGER = Primer.builder("deps-eager", String.class).parameters(ID)
      .propagation(Propagation.EAGER).compute((key, context) -> "never runs here").build();
  static final String A = "up/a";
  static final String B = "up/b";
  static final String C = "up/c";

  private final LocalRuntime local = LocalRuntime.held("kck.dependencies.coalesce-window = 100ms", LAZY, EAGER);
  private final KeyParts lazy = new KeyParts(local, LAZY.key("d"));
  private final KeyParts eager = new KeyParts(local, EAGER.key("d"));

  @AfterEach
  void close() {
    local.close();
  }

  /** D made from B v1 and C v1, both made from A v1. */
  private KeyState diamond(Key<String> key, Set<String> dependents) {
    return new KeyState(StoredValue.of("d", local.runtime.codec(key.primer())), 1, LocalRuntime.START,
        Map.of(B, 1L, C, 1L), Map.of(A, 1L, B, 1L, C, 1L), dependents, Map.of(), null, false);
  }

  private static KeyCommand.InputChanged changed(String input, long version, Map<String, Long> cause) {
    return new KeyCommand.InputChanged(input, version, cause, false, null, null, null);
  }

  @Test
  void whenOneSideOfADiamondChangesTheNextComputeMustSeeTheSharedInputsNewVersion() {
    KeyState d = diamond(LAZY.key("d"), Set.of());
    KeyCommand.InputChanged fromB = changed(B, 2, Map.of(B, 2L, A, 2L)); // B recomputed from A v2

    assertTrue(lazy.dependencies.isNews(d, fromB));
    lazy.dependencies.require(fromB.cause());

    // So D's next compute may not combine B v2 (from A v2) with C v1 (from A v1): it needs C made from A v2.
    assertEquals(Map.of(A, 2L, B, 2L), lazy.dependencies.promise(d));
  }

  @Test
  void readsThatSawTwoVersionsOfOneInputAreComputedAgainRequiringTheNewerAtMostThreeTimes() {
    ComputeReads glitch = new ComputeReads(Map.of(B, 2L, C, 1L), Map.of(A, 2L, B, 2L, C, 1L), true);
    KeyState d = diamond(LAZY.key("d"), Set.of());

    for (int attempt = 1; attempt <= 3; attempt++) {
      assertTrue(lazy.dependencies.computeAgain(glitch, null), "attempt " + attempt + " computes again");
    }
    assertEquals(2L, lazy.dependencies.promise(d).get(A), "the retry requires the newer A");
    assertFalse(lazy.dependencies.computeAgain(glitch, null), "the fourth stores what it read rather than loop");
    assertTrue(lazy.dependencies.computeAgain(glitch, null), "and the count starts again for the next compute");
  }

  @Test
  void aChangeTheValueWasAlreadyMadeFromIsNoNews() {
    KeyState d = diamond(LAZY.key("d"), Set.of());

    assertFalse(lazy.dependencies.isNews(d, changed(B, 1, Map.of(B, 1L, A, 1L))), "early cutoff: nothing new");
    assertTrue(lazy.dependencies.isNews(d, changed(C, 2, Map.of(C, 2L, A, 1L))));
  }

  @Test
  void aChangeOfAKeyItNoLongerReadsIsNoNewsAndThatKeyIsToldToStopTellingIt() {
    KeyState d = diamond(LAZY.key("d"), Set.of());

    assertFalse(lazy.dependencies.isNews(d, changed("up/gone", 5, Map.of("up/gone", 5L))));

    assertEquals(List.of(new KeyCommand.DependentGone(LAZY.key("d").text())), local.sentTo("up/gone"));
  }

  @Test
  void eagerRecomputesInABurstCoalesceIntoOneNowAndOneAtTheEndOfTheWindow() {
    assertTrue(eager.dependencies.mayRecomputeNow(false), "the first change recomputes at once");
    assertEquals(Duration.ofMillis(100), eager.timers.armed.get("coalesce").delay());
    for (int i = 0; i < 10; i++) {
      assertFalse(eager.dependencies.mayRecomputeNow(false), "the burst waits for the window");
    }
    assertFalse(eager.dependencies.idle(), "a recompute is owed");

    assertTrue(eager.dependencies.coalesceOver(false), "one recompute for the ten changes");
    assertFalse(eager.dependencies.coalesceOver(false), "and only one");
    assertTrue(eager.dependencies.idle());
  }

  @Test
  void aRecomputeDueWhileOneRunsStartsWhenItEnds() {
    assertFalse(eager.dependencies.mayRecomputeNow(true));
    assertTrue(eager.dependencies.recomputeDueNow());
    assertFalse(eager.dependencies.recomputeDueNow());
  }

  @Test
  void aChangeHeardWhileAComputeRanIsReportedIfTheResultDidNotSeeIt() {
    KeyState before = diamond(LAZY.key("d"), Set.of());
    lazy.attempts.start(Map.of(), null);
    assertTrue(lazy.dependencies.keptWhileComputing(Map.of(C, 2L, A, 2L), lazy.attempts));
    lazy.attempts.finish(1);
    KeyState computedFromOldC = before; // the result read C v1

    Map<String, Long> missed = lazy.dependencies.computed(before, computedFromOldC);

    assertEquals(Map.of(C, 2L, A, 2L), missed, "the value is already behind: outdate it");
    assertNull(lazy.dependencies.computed(before, computedFromOldC), "reported once");
  }

  @Test
  void aNewVersionIsToldToEveryDependentWithItsLineageAndWave() {
    Key<String> d = LAZY.key("d");
    KeyState state = diamond(d, Set.of("down/x", "down/y"));
    Wave wave = Wave.startedBy(A, 2, LocalRuntime.START);

    lazy.dependencies.announce(state, null, wave, () -> null, LocalRuntime.START);

    for (String dependent : List.of("down/x", "down/y")) {
      List<KeyCommand> sent = local.sentTo(dependent);
      assertEquals(1, sent.size());
      KeyCommand.InputChanged told = assertInstanceOf(KeyCommand.InputChanged.class, sent.get(0));
      assertEquals(d.text(), told.input());
      assertEquals(Map.of(A, 1L, B, 1L, C, 1L, d.text(), 1L), told.cause());
      assertEquals(wave, told.wave());
      assertFalse(told.outdated());
    }
  }

  @Test
  void aStartingKeyAsksEachInputWhetherItMovedOnAndHoldsGetsUntilAllAnswered() {
    KeyState d = diamond(LAZY.key("d"), Set.of());

    lazy.dependencies.checkInputs(d);

    assertEquals(List.of(new KeyCommand.CheckInput(LAZY.key("d").text(), 1)), local.sentTo(B));
    assertEquals(List.of(new KeyCommand.CheckInput(LAZY.key("d").text(), 1)), local.sentTo(C));
    assertTrue(lazy.dependencies.checking());
    lazy.dependencies.checkAnswered(new KeyCommand.InputChecked(B));
    assertTrue(lazy.dependencies.checking(), "C has not answered");
    lazy.dependencies.heard(d, changed(C, 1, Map.of(C, 1L))); // a change notification answers too
    assertFalse(lazy.dependencies.checking());
    assertFalse(lazy.dependencies.unverified());
    assertFalse(lazy.timers.armed.containsKey("input-check"));
  }

  @Test
  void inputsThatNeverAnswerTheirCheckLetGetsGoOnMarkedUnverified() {
    lazy.dependencies.checkInputs(diamond(LAZY.key("d"), Set.of()));

    lazy.dependencies.checkAnswered(KeyCommand.InputCheckOver.INSTANCE);

    assertFalse(lazy.dependencies.checking());
    assertTrue(lazy.dependencies.unverified(), "what gets are answered now is marked stale");
  }

  @Test
  void asAnInputItAnswersADependentsCheckWithItsNewsOrWithNone() {
    Key<String> d = LAZY.key("d");
    KeyState state = diamond(d, Set.of("down/x"));

    lazy.dependencies.answerCheck(state, new KeyCommand.CheckInput("down/x", 1));
    lazy.dependencies.answerCheck(state, new KeyCommand.CheckInput("down/x", 0));

    List<KeyCommand> sent = local.sentTo("down/x");
    assertEquals(new KeyCommand.InputChecked(d.text()), sent.get(0));
    KeyCommand.InputChanged news = assertInstanceOf(KeyCommand.InputChanged.class, sent.get(1));
    assertEquals(1, news.version());
    assertEquals(Map.of(A, 1L, B, 1L, C, 1L, d.text(), 1L), news.cause());
  }
}
