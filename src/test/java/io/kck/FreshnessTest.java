package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.errors.ComputeFailedException;
import io.kck.errors.InvalidKeyException;
import io.kck.primer.Freshness;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.KeyStatuses;
import io.kck.testing.Stages;
import io.kck.testing.TestClock;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every freshness policy, on Akka's manual clock: timers fire only when the test moves time. */
class FreshnessTest {
  static final class WithPolicy extends CountingPrimer {
    private final Freshness freshness;

    WithPolicy(String name, Freshness freshness) {
      super(name);
      this.freshness = freshness;
      // Every compute a new value: an equal one would keep its version (early cutoff).
      body((key, count) -> "value of " + key.get(ID) + " #" + count);
    }

    @Override
    public Freshness freshness() {
      return freshness;
    }
  }

  static final WithPolicy periodic = new WithPolicy("fresh-periodic", Freshness.periodic(Duration.ofMinutes(5)));
  static final WithPolicy jittered =
      new WithPolicy("fresh-jittered", Freshness.periodic(Duration.ofMinutes(5), Duration.ofMinutes(1)));
  static final WithPolicy maxAge =
      new WithPolicy("fresh-max-age", Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(10)));
  static final WithPolicy always = new WithPolicy("fresh-always", Freshness.alwaysFresh());
  static final CountingPrimer overridden = new CountingPrimer("fresh-overridden");
  static final WithPolicy failing = new WithPolicy("fresh-failing", Freshness.periodic(Duration.ofMinutes(5)));
  static final WithPolicy strict = new WithPolicy("fresh-strict", Freshness.periodic(Duration.ofMinutes(5)));
  static final CountingPrimer warm = new CountingPrimer("fresh-warm");
  static final WithPolicy expiring = new WithPolicy("fresh-expiring", Freshness.neverExpires());
  static ActorTestKit testKit;
  static TestClock clock;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("FreshnessTest", TestNodes.manualTimeConfig(
        """
        kck.primers."fresh-overridden".freshness { policy = periodic, interval = 2m }
        kck.primers."fresh-strict".stale-if-error = 0s
        kck.primers."fresh-expiring".stale-if-error = 1h
        kck.compute.backoff-min = 10s
        """));
    clock = TestClock.of(testKit);
    kck = Kck.builder(testKit.system()).clock(clock).primers(periodic, jittered, maxAge, always, overridden, failing, strict, warm, expiring)
        .start();
    TestNodes.warmUp(testKit, clock, kck, "fresh-warm/warm-up");
  }

  @AfterAll
  static void stop() {
    TestNodes.shutdown(testKit, clock);
  }

  @Test
  void aPeriodicKeyRefreshesOnItsTimerWithoutAnyGet() {
    Entry<Object> first = Stages.await(kck.getEntry("fresh-periodic/a"));
    assertNotNull(first.nextAttemptAt(), "a periodic key says when it refreshes next");
    assertEquals(1, periodic.computes());

    clock.timePasses(Duration.ofMinutes(4));
    assertEquals(1, periodic.computes());
    clock.timePasses(Duration.ofMinutes(1));
    awaitComputes(periodic, 2);
    awaitVersion("fresh-periodic/a", 2);
    clock.timePasses(Duration.ofMinutes(5));
    awaitComputes(periodic, 3);
    awaitVersion("fresh-periodic/a", 3);
  }

  @Test
  void jitterSpreadsTheRefreshesOfManyKeys() {
    Set<Object> due = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      due.add(Stages.await(kck.getEntry("fresh-jittered/" + i)).nextAttemptAt());
    }
    assertTrue(due.size() > 10, "refresh times of 20 keys: " + due);
    clock.timePasses(Duration.ofMinutes(6));
    awaitComputes(jittered, 40); // every key refreshed once within interval + jitter
  }

  @Test
  void hoconOverridesThePrimersPolicy() {
    Stages.await(kck.get("fresh-overridden/a"));
    clock.timePasses(Duration.ofMinutes(2));
    awaitComputes(overridden, 2);
  }

  @Test
  void maxAgeServesStaleWhileOneBackgroundRefreshRunsAndWaitsPastTheHardAge() throws Exception {
    Entry<Object> first = Stages.await(kck.getEntry("fresh-max-age/a"));
    assertFalse(first.stale());
    CountDownLatch release = new CountDownLatch(1);
    maxAge.body((key, count) -> {
      release.await();
      return "value #" + count;
    });

    clock.timePasses(Duration.ofMinutes(1));
    KeyStatuses.of(kck, "fresh-max-age/a"); // the soft-age timer has been handled before this answer
    Entry<Object> stale = Stages.await(kck.getEntry("fresh-max-age/a"));
    Entry<Object> staleAgain = Stages.await(kck.getEntry("fresh-max-age/a"));
    assertTrue(stale.stale(), "past the soft age the value is stale");
    assertEquals(first.value(), stale.value());
    assertTrue(staleAgain.refreshing(), "one background refresh runs");
    release.countDown();
    awaitVersion("fresh-max-age/a", 2);
    assertEquals(2, maxAge.computes(), "two stale gets started one refresh");
    assertFalse(Stages.await(kck.getEntry("fresh-max-age/a")).stale());

    // Past the hard age a get waits for the new value.
    CountDownLatch hold = new CountDownLatch(1);
    maxAge.body((key, count) -> {
      hold.await();
      return "value #" + count;
    });
    clock.timePasses(Duration.ofMinutes(10));
    KeyStatuses.of(kck, "fresh-max-age/a"); // the hard-age timer has been handled before this answer
    CompletableFuture<Entry<Object>> waiting = kck.getEntry("fresh-max-age/a").toCompletableFuture();
    Eventually.status(kck, "fresh-max-age/a", "to have the get past the hard age waiting", s -> s.waiting() == 1);
    assertFalse(waiting.isDone());
    hold.countDown();
    Entry<Object> renewed = Stages.await(waiting);
    assertEquals("value #3", renewed.value());
    assertFalse(renewed.stale());
  }

  @Test
  void alwaysFreshAnswersEveryGetWithACompueThatStartedAfterIt() throws Exception {
    assertEquals("value of a #1", Stages.await(kck.get("fresh-always/a")));
    Stages.await(kck.get("fresh-always/a"));
    assertEquals(2, always.computes(), "every get computes");

    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    always.body((key, count) -> {
      if (count == 3) {
        started.countDown();
        release.await();
      }
      return "compute #" + count;
    });
    CompletableFuture<Object> first = kck.get("fresh-always/a").toCompletableFuture();
    started.await();
    CompletableFuture<Object> second = kck.get("fresh-always/a").toCompletableFuture();
    CompletableFuture<Object> third = kck.get("fresh-always/a").toCompletableFuture();
    Eventually.status(kck, "fresh-always/a", "to have three gets waiting", s -> s.waiting() == 3);
    release.countDown();
    assertEquals("compute #3", Stages.await(first));
    assertEquals("compute #4", Stages.await(second), "a get during a compute waits for the next one");
    assertEquals("compute #4", Stages.await(third), "gets that arrive together share one compute");
    assertEquals(4, always.computes());
  }

  @Test
  void aFailedRefreshKeepsTheLastGoodValueAndRetriesWithBackoff() {
    Entry<Object> good = Stages.await(kck.getEntry("fresh-failing/a"));
    failing.body((key, count) -> {
      if (count == 2) {
        throw new IllegalStateException("source down");
      }
      return "value #" + count;
    });
    clock.timePasses(Duration.ofMinutes(5));
    awaitComputes(failing, 2);
    Eventually.status(kck, "fresh-failing/a", "to finish its refresh", s -> !s.computing());

    Entry<Object> stale = Stages.await(kck.getEntry("fresh-failing/a"));
    assertEquals(good.value(), stale.value());
    assertEquals(good.version(), stale.version());
    assertTrue(stale.stale());
    assertTrue(stale.lastError().contains("source down"), stale.lastError());
    assertNotNull(stale.nextAttemptAt());

    clock.timePasses(Duration.ofSeconds(10)); // the backoff, not a whole interval
    awaitComputes(failing, 3);
    awaitVersion("fresh-failing/a", 2);
    Entry<Object> recovered = Stages.await(kck.getEntry("fresh-failing/a"));
    assertEquals("value #3", recovered.value());
    assertFalse(recovered.stale());
    assertNull(recovered.lastError());
  }

  @Test
  void pastTheStaleIfErrorLimitGetsFailWithTheError() {
    Stages.await(kck.get("fresh-strict/a"));
    strict.body((key, count) -> {
      throw new IllegalStateException("still down");
    });
    clock.timePasses(Duration.ofMinutes(5));
    awaitComputes(strict, 2);
    Eventually.status(kck, "fresh-strict/a", "to finish its refresh", s -> !s.computing());
    ComputeFailedException failed = Stages.failure(kck.get("fresh-strict/a"), ComputeFailedException.class);
    assertTrue(failed.getMessage().contains("still down"), failed.getMessage());
  }

  @Test
  void staleIfErrorEndsWhenTheValueIsOlderThanItsLimitOnTheInjectedClock() {
    Entry<Object> good = Stages.await(kck.getEntry("fresh-expiring/a"));
    expiring.body((key, count) -> {
      throw new IllegalStateException("source gone");
    });
    Stages.failure(kck.refresh("fresh-expiring/a"), ComputeFailedException.class);

    clock.timePasses(Duration.ofMinutes(59)); // still within the hour: served, stale, with the error
    Entry<Object> stale = Stages.await(kck.getEntry("fresh-expiring/a"));
    assertEquals(good.value(), stale.value());
    assertTrue(stale.stale());
    assertTrue(stale.lastError().contains("source gone"), stale.lastError());

    clock.timePasses(Duration.ofMinutes(2)); // past it, on the clock KCK was given
    ComputeFailedException expired = Stages.failure(kck.get("fresh-expiring/a"), ComputeFailedException.class);
    assertTrue(expired.getMessage().contains("source gone"), expired.getMessage());
  }

  @Test
  void warmKeysAreComputedAndKeptWithoutAnyGet() {
    Stages.await(kck.keepWarm("fresh-warm/register-7"));
    Eventually.status(kck, "fresh-warm/register-7", "to be computed, unasked", status -> status.version() == 1);
    assertTrue(Stages.await(kck.warmKeys()).contains("fresh-warm/register-7"));
    Stages.await(kck.stopKeepingWarm("fresh-warm/register-7"));
    assertFalse(Stages.await(kck.warmKeys()).contains("fresh-warm/register-7"));
    Stages.failure(kck.keepWarm("fresh-warm"), InvalidKeyException.class);
  }

  private static void awaitComputes(CountingPrimer primer, int computes) {
    Eventually.count("computes of " + primer.name(), primer::computes, computes);
  }

  private static void awaitVersion(String key, long version) {
    Eventually.status(kck, key, "to reach version " + version, status -> status.version() == version);
  }
}
