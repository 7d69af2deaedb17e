package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.primer.ComputeContext;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.ValueFreshness;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.KeyStatuses;
import io.kck.testing.Stages;
import io.kck.testing.TestClock;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A value's own freshness ({@link ValueFreshness}, stated by its compute) instead of its primer's,
 * on Akka's manual clock: timers fire only when the test moves time.
 */
class ValueFreshnessTest {

  /** A counting primer whose computes state the freshness {@code own} gives them (null: none). */
  static final class OwnFreshness extends CountingPrimer {
    private final Freshness primers;
    private volatile Function<Integer, ValueFreshness> own;

    OwnFreshness(String name, Freshness primers, Function<Integer, ValueFreshness> own) {
      super(name);
      this.primers = primers;
      this.own = own;
      body((key, count) -> "value #" + count);
    }

    @Override
    public Freshness freshness() {
      return primers;
    }

    @Override
    public String compute(Key<String> key, ComputeContext<String> context) throws Exception {
      String value = super.compute(key, context);
      ValueFreshness freshness = own.apply(computes());
      if (freshness != null) {
        context.valueFreshness(freshness);
      }
      return value;
    }
  }

  static TestClock clock;
  static final OwnFreshness expiring = new OwnFreshness("vf-expires", Freshness.neverExpires(),
      count -> ValueFreshness.expiresAt(clock.instant().plus(Duration.ofMinutes(10))));
  static final OwnFreshness aging = new OwnFreshness("vf-max-age", Freshness.neverExpires(),
      count -> ValueFreshness.maxAge(Duration.ofMinutes(2)));
  static final OwnFreshness refreshing = new OwnFreshness("vf-refresh", Freshness.neverExpires(),
      count -> ValueFreshness.refreshAfter(Duration.ofMinutes(5)));
  static final OwnFreshness fallingBack = new OwnFreshness("vf-fallback", Freshness.periodic(Duration.ofMinutes(30)),
      count -> count == 1 ? ValueFreshness.expiresAt(clock.instant().plus(Duration.ofMinutes(5))) : null);
  static final OwnFreshness unchanged = new OwnFreshness("vf-unchanged", Freshness.neverExpires(),
      count -> ValueFreshness.maxAge(Duration.ofMinutes(count == 1 ? 1 : 10)));
  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("ValueFreshnessTest", TestNodes.manualTimeConfig(""));
    clock = TestClock.of(testKit);
    kck = Kck.builder(testKit.system()).clock(clock).primers(expiring, aging, refreshing, fallingBack, unchanged).start();
    TestNodes.warmUp(testKit, clock, kck, "vf-expires/warm-up");
  }

  @AfterAll
  static void stop() {
    TestNodes.shutdown(testKit, clock);
  }

  @Test
  void aValueThatExpiresAtAnInstantIsServedUntilThenAndRecomputedByTheFirstGetAfter() {
    Entry<Object> first = Stages.await(kck.getEntry("vf-expires/a"));
    assertEquals(millis(first.computedAt().plus(Duration.ofMinutes(10))), first.freshUntil(), "the entry says until when");
    int computes = expiring.computes();
    clock.timePasses(Duration.ofMinutes(9));
    KeyStatuses.of(kck, "vf-expires/a");
    Entry<Object> before = Stages.await(kck.getEntry("vf-expires/a"));
    assertEquals(first.version(), before.version(), "served until it expires");
    assertFalse(before.stale());
    assertEquals(computes, expiring.computes());
    assertNull(before.nextAttemptAt(), "an expiry is no refresh: nothing computes without a get");

    clock.timePasses(Duration.ofMinutes(1));
    KeyStatuses.of(kck, "vf-expires/a"); // the expiry's timer has been handled before this answer
    assertEquals(computes, expiring.computes(), "nothing recomputes by itself");
    Entry<Object> after = Stages.await(kck.getEntry("vf-expires/a"));
    assertEquals(first.version() + 1, after.version(), "the get past the expiry waited for a new value");
    assertEquals(computes + 1, expiring.computes());
    assertFalse(after.stale());
  }

  @Test
  void aMaxAgeCountsFromWhenTheValueIsStored() {
    Entry<Object> first = Stages.await(kck.getEntry("vf-max-age/a"));
    assertEquals(millis(first.computedAt().plus(Duration.ofMinutes(2))), first.freshUntil());
    clock.timePasses(Duration.ofSeconds(119));
    KeyStatuses.of(kck, "vf-max-age/a");
    assertEquals(first.version(), Stages.await(kck.getEntry("vf-max-age/a")).version());
    clock.timePasses(Duration.ofSeconds(1));
    KeyStatuses.of(kck, "vf-max-age/a");
    assertEquals(first.version() + 1, Stages.await(kck.getEntry("vf-max-age/a")).version());
  }

  @Test
  void aRefreshTimeRecomputesTheKeyByItselfAndTheEntrySaysWhen() {
    Entry<Object> first = Stages.await(kck.getEntry("vf-refresh/a"));
    assertEquals(first.computedAt().plus(Duration.ofMinutes(5)), first.nextAttemptAt());
    int computes = refreshing.computes();
    clock.timePasses(Duration.ofMinutes(4));
    KeyStatuses.of(kck, "vf-refresh/a");
    assertEquals(computes, refreshing.computes());
    clock.timePasses(Duration.ofMinutes(1));
    Eventually.count("computes of vf-refresh", refreshing::computes, computes + 1);
    Eventually.status(kck, "vf-refresh/a", "to store its refresh", s -> s.version() == first.version() + 1);
    Entry<Object> second = Stages.await(kck.getEntry("vf-refresh/a"));
    assertEquals(second.computedAt().plus(Duration.ofMinutes(5)), second.nextAttemptAt(), "each value sets its own");
  }

  @Test
  void theNextValueWithoutFreshnessOfItsOwnFallsBackToThePrimers() {
    Entry<Object> own = Stages.await(kck.getEntry("vf-fallback/a"));
    assertNull(own.nextAttemptAt(), "its own expiry replaces the primer's periodic refresh");
    clock.timePasses(Duration.ofMinutes(5));
    KeyStatuses.of(kck, "vf-fallback/a");
    Entry<Object> second = Stages.await(kck.getEntry("vf-fallback/a"));
    assertEquals(own.version() + 1, second.version(), "expired: the get computed anew");
    assertEquals(second.computedAt().plus(Duration.ofMinutes(30)), second.nextAttemptAt(), "the primer's policy again");
    assertEquals(millis(second.nextAttemptAt()), second.freshUntil());
    clock.timePasses(Duration.ofMinutes(30));
    Eventually.count("computes of vf-fallback", fallingBack::computes, 3);
  }

  @Test
  void aPutValueMayHaveFreshnessOfItsOwn() {
    Key<String> key = expiring.key("put");
    Entry<String> put = Stages.await(kck.put(key, "put value", ValueFreshness.maxAge(Duration.ofMinutes(7))));
    assertEquals(millis(put.computedAt().plus(Duration.ofMinutes(7))), put.freshUntil());
    clock.timePasses(Duration.ofMinutes(6));
    KeyStatuses.of(kck, key.text());
    assertEquals("put value", Stages.await(kck.get(key)));
    clock.timePasses(Duration.ofMinutes(1));
    KeyStatuses.of(kck, key.text());
    assertEquals(put.version() + 1, Stages.await(kck.getEntry(key)).version(), "past its max age the get computed anew");
    assertThrows(NullPointerException.class, () -> kck.put(key, "v", null));
  }

  @Test
  void aRecomputeThatReturnsTheSameValueStillMovesItsFreshnessOn() {
    unchanged.body((key, count) -> "always the same");
    Entry<Object> first = Stages.await(kck.getEntry("vf-unchanged/a"));
    clock.timePasses(Duration.ofMinutes(1)); // expired: the next get recomputes, the same value with 10 minutes
    KeyStatuses.of(kck, "vf-unchanged/a");
    Entry<Object> confirmed = Stages.await(kck.getEntry("vf-unchanged/a"));
    assertEquals(first.version(), confirmed.version(), "the same value keeps its version");
    assertEquals(2, unchanged.computes());
    clock.timePasses(Duration.ofMinutes(9));
    KeyStatuses.of(kck, "vf-unchanged/a");
    Stages.await(kck.getEntry("vf-unchanged/a"));
    assertEquals(2, unchanged.computes(), "fresh for the 10 minutes its recompute gave it");
  }

  /**
   * Two nodes one after the other on one database: the second serves the value the first stored
   * until the instant the compute gave it, then computes anew. Had the freshness not been journaled,
   * the primer's (never expires) would have kept the value.
   */
  @Test
  void aValuesFreshnessIsJournaledWithItAndHoldsAfterARestart() {
    String database = TestNodes.ownDatabase("value_freshness_restart");
    Instant expiry = Instant.now().plus(Duration.ofHours(1)); // both nodes' clocks start at the wall clock's now
    OwnFreshness before = new OwnFreshness("vf-restart", Freshness.neverExpires(), count -> ValueFreshness.expiresAt(expiry));
    ActorTestKit first = TestNodes.start("ValueFreshnessBefore", TestNodes.manualTimeConfig(database));
    TestClock firstClock = TestClock.of(first);
    try {
      Kck node = Kck.builder(first.system()).clock(firstClock).primers(before).start();
      assertEquals("value #1", TestNodes.warmUp(first, firstClock, node, "vf-restart/a"));
    } finally {
      TestNodes.shutdown(first, firstClock);
    }

    OwnFreshness after = new OwnFreshness("vf-restart", Freshness.neverExpires(), count -> null);
    ActorTestKit second = TestNodes.start("ValueFreshnessAfter", TestNodes.manualTimeConfig(database));
    TestClock secondClock = TestClock.of(second);
    try {
      Kck node = Kck.builder(second.system()).clock(secondClock).primers(after).start();
      assertEquals("value #1", TestNodes.warmUp(second, secondClock, node, "vf-restart/a"), "loaded, not computed");
      assertEquals(0, after.computes());
      secondClock.timePasses(Duration.between(secondClock.instant(), expiry).plusSeconds(1));
      KeyStatuses.of(node, "vf-restart/a"); // the expiry's timer has been handled before this answer
      assertEquals("value #1", Stages.await(node.get("vf-restart/a")), "past the instant its value gave it, computed anew");
      assertEquals(1, after.computes());
    } finally {
      TestNodes.shutdown(second, secondClock);
    }
  }

  private static Instant millis(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS); // entries say until when to the millisecond
  }

  @Test
  void badFreshnessFailsWhereItIsMade() {
    assertEquals("A value's max age must be positive, got PT0S",
        assertThrows(IllegalArgumentException.class, () -> ValueFreshness.maxAge(Duration.ZERO)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> ValueFreshness.refreshAfter(Duration.ofSeconds(-1)));
    assertThrows(NullPointerException.class, () -> ValueFreshness.expiresAt(null));
    assertThrows(NullPointerException.class, () -> ValueFreshness.refreshAt(null));
    Instant at = Instant.parse("2026-12-08T00:00:00Z");
    assertEquals(at.plusSeconds(60), ValueFreshness.maxAge(Duration.ofSeconds(60)).expiryFor(at));
    assertNull(ValueFreshness.maxAge(Duration.ofSeconds(60)).refreshFor(at));
    assertEquals(at, ValueFreshness.refreshAt(at).refreshFor(Instant.EPOCH));
  }
}
