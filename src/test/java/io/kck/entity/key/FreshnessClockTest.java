package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.entity.KeyCommand.AgeReached;
import io.kck.entity.KeyCommand.RefreshDue;
import io.kck.entity.KeyState;
import io.kck.entity.ValueExpiry;
import io.kck.primer.Freshness;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Freshness timers, measured from when the value was computed, not from when the key armed them. */
@Tag("unit")
class FreshnessClockTest {
  private static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");
  private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

  private final HandClock clock = new HandClock(NOW);
  private final RecordingTimers timers = new RecordingTimers();
  private int keptWarm;

  private FreshnessClock clockFor(Freshness policy) {
    return clockFor(policy, false);
  }

  private FreshnessClock clockFor(Freshness policy, boolean joinsWarmSet) {
    return new FreshnessClock(policy, timers, clock, joinsWarmSet, () -> keptWarm++);
  }

  private static KeyState computed(Duration ago, long version) {
    return new KeyState(null, version, NOW.minus(ago), Map.of(), Map.of(), Set.of(), Map.of(), null, false);
  }

  @Test
  void aPeriodicValueIsRefreshedWhenItsIntervalSinceTheComputeIsOver() {
    FreshnessClock freshness = clockFor(Freshness.periodic(FIVE_MINUTES));

    freshness.arm(computed(Duration.ofMinutes(4), 1));

    assertEquals(new RecordingTimers.Timer("refresh", RefreshDue.INSTANCE, Duration.ofMinutes(1)), timers.armed.get("refresh"));
    assertEquals(NOW.plus(Duration.ofMinutes(1)), freshness.nextRefreshAt());
  }

  @Test
  void aPeriodicValueOlderThanItsIntervalIsRefreshedAtOnce() {
    FreshnessClock freshness = clockFor(Freshness.periodic(FIVE_MINUTES));

    freshness.arm(computed(Duration.ofMinutes(7), 1));

    assertEquals(Duration.ZERO, timers.armed.get("refresh").delay());
    assertEquals(NOW, freshness.nextRefreshAt());
  }

  @Test
  void jitterOnlyEverDelaysTheRefreshAndByNoMoreThanItself() {
    FreshnessClock freshness = clockFor(Freshness.periodic(FIVE_MINUTES, Duration.ofSeconds(30)));

    for (int i = 0; i < 50; i++) {
      freshness.arm(computed(Duration.ZERO, 1));
      Duration delay = timers.armed.get("refresh").delay();
      assertTrue(delay.compareTo(FIVE_MINUTES) >= 0 && delay.compareTo(FIVE_MINUTES.plusSeconds(30)) <= 0, delay.toString());
    }
  }

  @Test
  void theRefreshTimerFiringLeavesNoRefreshDue() {
    FreshnessClock freshness = clockFor(Freshness.periodic(FIVE_MINUTES));
    freshness.arm(computed(Duration.ZERO, 1));

    freshness.refreshDue();

    assertNull(freshness.nextRefreshAt());
  }

  @Test
  void aKeyOfAPrimerThatOptedInJoinsTheWarmSetWithItsFirstValueOnly() {
    FreshnessClock freshness = clockFor(Freshness.periodic(FIVE_MINUTES), true);

    freshness.newValue(computed(Duration.ZERO, 1));
    freshness.newValue(computed(Duration.ZERO, 2));

    assertEquals(1, keptWarm);
  }

  @Test
  void aPeriodicKeyDoesNotJoinTheWarmSetByItself() {
    FreshnessClock freshness = clockFor(Freshness.periodic(FIVE_MINUTES));

    freshness.newValue(computed(Duration.ZERO, 1));

    assertEquals(0, keptWarm);
    assertTrue(timers.armed.containsKey("refresh"), "its timer runs while it is live");
  }

  @Test
  void otherPoliciesNeitherKeepWarmNorArmARefresh() {
    for (Freshness policy : new Freshness[] {
        Freshness.neverExpires(), Freshness.alwaysFresh(), Freshness.maxAge(FIVE_MINUTES, FIVE_MINUTES)}) {
      FreshnessClock freshness = clockFor(policy);
      freshness.newValue(computed(Duration.ZERO, 1));
      assertNull(freshness.nextRefreshAt(), policy.toString());
    }

    assertEquals(0, keptWarm);
    assertFalse(timers.armed.containsKey("refresh"));
  }

  @Test
  void aYoungMaxAgeValueArmsBothAgeTimersForItsVersion() {
    FreshnessClock freshness = clockFor(Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(10)));

    freshness.arm(computed(Duration.ofSeconds(20), 3));

    assertFalse(freshness.softAgeReached());
    assertFalse(freshness.hardAgeReached());
    assertEquals(new RecordingTimers.Timer("soft-age", new AgeReached(false, 3), Duration.ofSeconds(40)), timers.armed.get("soft-age"));
    assertEquals(new RecordingTimers.Timer("hard-age", new AgeReached(true, 3), Duration.ofSeconds(580)), timers.armed.get("hard-age"));
  }

  @Test
  void aValueAlreadyPastItsSoftAgeIsStaleAtOnceWithoutASoftTimer() {
    FreshnessClock freshness = clockFor(Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(10)));

    freshness.arm(computed(Duration.ofMinutes(2), 3));

    assertTrue(freshness.softAgeReached());
    assertFalse(freshness.hardAgeReached());
    assertFalse(timers.armed.containsKey("soft-age"));
    assertEquals(Duration.ofMinutes(8), timers.armed.get("hard-age").delay());
  }

  @Test
  void aValueAlreadyPastItsHardAgeIsExpiredAtOnceWithoutTimers() {
    FreshnessClock freshness = clockFor(Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(10)));

    freshness.arm(computed(Duration.ofMinutes(10), 3));

    assertTrue(freshness.softAgeReached());
    assertTrue(freshness.hardAgeReached());
    assertTrue(timers.started.isEmpty());
  }

  @Test
  void anAgeTimerCountsOnlyForTheVersionItWasArmedFor() {
    FreshnessClock freshness = clockFor(Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(10)));
    freshness.arm(computed(Duration.ZERO, 4));

    freshness.ageReached(new AgeReached(true, 3), 4);
    assertFalse(freshness.softAgeReached());
    assertFalse(freshness.hardAgeReached());

    freshness.ageReached(new AgeReached(false, 4), 4);
    assertTrue(freshness.softAgeReached());
    assertFalse(freshness.hardAgeReached());

    freshness.ageReached(new AgeReached(true, 4), 4);
    assertTrue(freshness.hardAgeReached());
  }

  @Test
  void aNewValueMakesAStaleMaxAgeKeyFreshAgain() {
    FreshnessClock freshness = clockFor(Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(10)));
    freshness.arm(computed(Duration.ofMinutes(20), 1));

    freshness.newValue(computed(Duration.ZERO, 2));

    assertFalse(freshness.softAgeReached());
    assertFalse(freshness.hardAgeReached());
  }

  @Test
  void aFailedPeriodicRefreshIsRetriedWhenTheBackoffEnds() {
    FreshnessClock freshness = clockFor(Freshness.periodic(FIVE_MINUTES));
    freshness.arm(computed(Duration.ZERO, 1));
    freshness.refreshDue();

    freshness.retryAfter(Duration.ofSeconds(2), NOW.plusSeconds(2));

    assertEquals(Duration.ofSeconds(2), timers.armed.get("refresh").delay());
    assertEquals(NOW.plusSeconds(2), freshness.nextRefreshAt());
  }

  @Test
  void aFailedComputeOfANonPeriodicKeyArmsNoRetry() {
    FreshnessClock freshness = clockFor(Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(10)));

    freshness.retryAfter(Duration.ofSeconds(2), NOW.plusSeconds(2));

    assertTrue(timers.started.isEmpty());
    assertNull(freshness.nextRefreshAt());
  }

  @Test
  void resetForgetsTheRefreshAndTheAges() {
    FreshnessClock periodic = clockFor(Freshness.periodic(FIVE_MINUTES));
    periodic.arm(computed(Duration.ZERO, 1));
    FreshnessClock maxAge = clockFor(Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(10)));
    maxAge.arm(computed(Duration.ofHours(1), 1));

    periodic.reset();
    maxAge.reset();

    assertNull(periodic.nextRefreshAt());
    assertFalse(maxAge.softAgeReached());
    assertFalse(maxAge.hardAgeReached());
  }

  private static KeyState withOwn(ValueExpiry own, long version) {
    return new KeyState(null, version, NOW, Map.of(), Map.of(), Set.of(), Map.of(), null, false, null, own, 1);
  }

  @Test
  void aValuesOwnExpiryReplacesThePolicyAndWorksAsAHardAge() {
    FreshnessClock freshness = clockFor(Freshness.periodic(FIVE_MINUTES));
    freshness.arm(withOwn(new ValueExpiry(NOW.plus(Duration.ofMinutes(10)), null), 2));

    assertNull(timers.armed.get("refresh"), "no periodic refresh for this value");
    assertNull(freshness.nextRefreshAt());
    assertEquals(Duration.ofMinutes(10), timers.armed.get("hard-age").delay());
    assertFalse(freshness.periodic());
    clock.advance(Duration.ofMinutes(10));
    freshness.ageReached(new AgeReached(true, 2), 2);
    assertTrue(freshness.hardAgeReached());

    // The next value has none of its own: the policy again.
    freshness.arm(new KeyState(null, 3, clock.instant(), Map.of(), Map.of(), Set.of(), Map.of(), null, false));
    assertEquals(clock.instant().plus(FIVE_MINUTES), freshness.nextRefreshAt());
    assertTrue(freshness.periodic());
    assertNull(timers.armed.get("hard-age"), "the last value's expiry is off");
    assertFalse(freshness.hardAgeReached());
  }

  @Test
  void anOwnExpiryOrRefreshFurtherOffThanATimerMayWaitIsReachedInSteps() {
    FreshnessClock freshness = clockFor(Freshness.neverExpires());
    Instant far = NOW.plus(Duration.ofDays(1000));
    freshness.arm(withOwn(new ValueExpiry(far, far), 1));
    assertEquals(FreshnessClock.LONGEST_TIMER, timers.armed.get("hard-age").delay());
    assertEquals(FreshnessClock.LONGEST_TIMER, timers.armed.get("refresh").delay());
    assertEquals(far, freshness.nextRefreshAt());

    clock.advance(FreshnessClock.LONGEST_TIMER);
    freshness.ageReached(new AgeReached(true, 1), 1);
    assertFalse(freshness.hardAgeReached(), "not yet: armed again");
    assertFalse(freshness.refreshDue(), "not yet: armed again");
    assertEquals(FreshnessClock.LONGEST_TIMER, timers.armed.get("hard-age").delay());

    clock.advance(Duration.between(clock.instant(), far));
    freshness.ageReached(new AgeReached(true, 1), 1);
    assertTrue(freshness.hardAgeReached());
    assertTrue(freshness.refreshDue());
  }
}
