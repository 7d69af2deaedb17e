package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kck.entity.KeyState;
import io.kck.entity.Problem;
import io.kck.errors.KckException;
import io.kck.persistence.StoredValue;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The node's copy of a key's entry (the read tier), without an actor: a get through the tier finds
 * exactly what the key would answer at once, and nothing once the key would have to wait,
 * recompute or say it is stale.
 */
@Tag("unit")
class LocalHitsTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final Primer<String> PRIMER = Primer.builder("hits-unit", String.class).parameters(ID)
      .freshness(Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(5)))
      .compute((key, context) -> "never runs here").build();

  private final LocalRuntime local = LocalRuntime.held("kck.entity.local-hits = on", PRIMER);
  private final Key<String> key = PRIMER.key("a");
  private final KeyParts parts = new KeyParts(local, key);

  @AfterEach
  void close() {
    local.close();
  }

  private KeyState valued(long version, Instant computedAt, Map<String, Long> outdatedBy) {
    return new KeyState(StoredValue.of("v" + version, local.runtime.codec(PRIMER)), version, computedAt, Map.of("up/a", 1L),
        Map.of("up/a", 1L), Set.of(), outdatedBy, null, false);
  }

  private KeyState fresh(long version) {
    return valued(version, local.clock.instant(), Map.of());
  }

  private Long servedVersion() {
    var entry = local.runtime.tier().servable(key.text(), local.clock);
    return entry == null ? null : entry.data().version();
  }

  @Test
  void aFreshValueIsPublishedAndAGetThroughTheTierAnswersIt() {
    parts.localHits.publish(fresh(2));

    assertEquals(2L, servedVersion());
  }

  @Test
  void theCopyAnswersUntilItsSoftAgeAndNotAMomentLonger() {
    parts.localHits.publish(fresh(2));

    local.clock.advance(Duration.ofMinutes(1).minusMillis(1));
    assertEquals(2L, servedVersion());
    local.clock.advance(Duration.ofMillis(1));
    assertNull(servedVersion(), "past its soft age a get must reach the key, which refreshes it");
  }

  @Test
  void aNewVersionReplacesTheCopy() {
    parts.localHits.publish(fresh(2));
    parts.localHits.publish(fresh(3));

    assertEquals(3L, servedVersion());
  }

  @Test
  void anOutdatedValueIsWithdrawnAtOnce() {
    parts.localHits.publish(fresh(2));

    parts.localHits.publish(valued(2, local.clock.instant(), Map.of("up/a", 2L)));

    assertNull(servedVersion(), "an input moved on: a get must wait for the recompute");
    assertNull(local.runtime.tier().get(key.text()));
  }

  @Test
  void anInvalidatedValueIsWithdrawn() {
    KeyState state = fresh(2);
    parts.localHits.publish(state);

    parts.localHits.publish(state.withoutValue());

    assertNull(servedVersion());
  }

  @Test
  void nothingIsPublishedWhileAComputeRuns() {
    parts.attempts.start(Map.of(), null);

    parts.localHits.publish(fresh(2));

    assertNull(servedVersion(), "its answer would say refreshing; the new value comes soon");
  }

  @Test
  void nothingIsPublishedAfterAFailedRefreshWhileTheKeyBacksOff() {
    parts.localHits.publish(fresh(2));
    parts.backoff.failed(Problem.of(KckException.Kind.COMPUTE_FAILED, "boom", null));

    parts.localHits.publish(fresh(2));

    assertNull(servedVersion(), "a get must hear of the failure, as the key would tell it");
  }

  @Test
  void nothingIsPublishedWhileAnInputHasNotConfirmedTheValue() {
    KeyState state = fresh(2);
    parts.dependencies.checkInputs(state);

    parts.localHits.publish(state);
    assertNull(servedVersion());

    parts.dependencies.answered("up/a");
    parts.localHits.publish(state);
    assertEquals(2L, servedVersion());
  }

  @Test
  void aKeyThatRestartsAfterAJournalFailureWithdrawsItsCopyButKeepsItsValueForOutages() {
    parts.localHits.publish(fresh(2));

    parts.localHits.stopped(true);

    assertNull(servedVersion());
    assertNotNull(local.runtime.lastValues().get(key.text()), "gets are answered from it while the database is down");
    parts.localHits.stopped(false);
    assertNull(local.runtime.lastValues().get(key.text()));
  }
}
