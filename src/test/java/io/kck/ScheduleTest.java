package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import io.kck.entity.ScheduledTicks;
import io.kck.entity.ScheduledTicks.TickDone;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.RefreshSchedule;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestClock;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Primers that refresh their warm keys on a cron schedule in a time zone, on KCK's injected clock:
 * each tick refreshes once, a local time the spring change skips still gets its day's refresh, and
 * a tick missed while every node was down runs once or is skipped at start, as configured.
 */
class ScheduleTest {
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final Parameter<String> ID = Parameter.ofString("id");

  static Instant berlin(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
  }

  /** A primer with one warm key, "a", refreshed on {@code schedule} (null: set in HOCON); it counts its computes. */
  static Primer<String> primer(String name, RefreshSchedule schedule, AtomicInteger computes) {
    var builder = Primer.builder(name, String.class).parameters(ID)
        .compute((key, context) -> "compute " + computes.incrementAndGet())
        .warmKey("a");
    return (schedule == null ? builder : builder.refreshSchedule(schedule)).build();
  }

  /**
   * Manual time fires every periodic timer on its way through the days this test jumps (a shard's
   * sentinel every 30 s, the database probe every second, ...): what the schedule does not need
   * fires seldom here, or the jumps take minutes of the suite.
   */
  private static final String FEW_TIMERS = """
      kck.sharding.passivation.default-idle-strategy.idle-entity.timeout = 2d
      kck.read-tier.sentinel-wake-interval = 1d
      kck.freshness.wake-interval = 1d
      kck.database.health.probe-interval = 1h
      """;

  @Test
  void eachTickRefreshesTheWarmKeysOnceAndTheSpringChangeDoesNotLoseADay() {
    AtomicInteger computes = new AtomicInteger();
    Primer<String> daily = primer("sched-daily", RefreshSchedule.cron("30 2 * * *", BERLIN), computes);
    ActorTestKit testKit = TestNodes.start("ScheduleTest",
        TestNodes.manualTimeConfig(TestNodes.ownDatabase("schedule_test_spring") + FEW_TIMERS));
    TestClock clock = TestClock.of(testKit, berlin("2027-03-26T12:00"));
    try {
      Kck kck = Kck.builder(testKit.system()).clock(clock).primers(daily).start();
      TestNodes.warmUp(testKit, clock, kck, "sched-daily/a");
      ticks(testKit, clock, done -> done.containsKey("sched-daily")); // the schedule runs, owing nothing before now
      assertEquals(1, computes.get(), "the warm-up");

      Instant saturday = berlin("2027-03-27T02:30");
      timePassesUntil(testKit, clock, saturday);
      refreshedAt(kck, saturday);
      assertEquals(2, computes.get(), "the tick of Saturday 02:30");

      // Sunday 2027-03-28: the clocks jump from 02:00 to 03:00 (01:00 UTC); 02:30 never happens.
      Instant endOfGap = Instant.parse("2027-03-28T01:00:00Z");
      timePassesUntil(testKit, clock, endOfGap.minusSeconds(60));
      timePassesUntil(testKit, clock, endOfGap);
      refreshedAt(kck, endOfGap);
      assertEquals(3, computes.get(), "the tick of the spring-forward day, at 03:00");

      Instant monday = berlin("2027-03-29T02:30"); // 00:30 UTC now, summer time
      assertEquals(Instant.parse("2027-03-29T00:30:00Z"), monday);
      timePassesUntil(testKit, clock, monday);
      refreshedAt(kck, monday);
      Map<String, TickDone> done = ticks(testKit, clock, all -> all.get("sched-daily").tickMillis() == monday.toEpochMilli());
      assertTrue(done.get("sched-daily").ran());
      assertEquals(4, computes.get(), "one refresh per tick, nothing else");
    } finally {
      TestNodes.shutdown(testKit, clock);
    }
  }

  @Test
  void aTickMissedWhileEveryNodeWasDownRunsOnceOrIsSkippedAsConfigured() {
    // The skipping primer's schedule comes from HOCON, as an SQL primer's or an override would.
    String config = TestNodes.ownDatabase("schedule_test_missed") + """
        kck.primers."sched-skip".refresh-schedule { cron = "0 2 * * *", zone = "Europe/Berlin", missed-ticks = skip }
        """;
    RefreshSchedule twoAm = RefreshSchedule.cron("0 2 * * *", BERLIN);
    // 11:58 Berlin, skip: at the restart (12:00) its tick of two minutes ago is late, not missed.
    RefreshSchedule lateSkipped = RefreshSchedule.cron("58 11 * * *", BERLIN).missedTicks(RefreshSchedule.MissedTicks.SKIP);
    AtomicInteger runComputes = new AtomicInteger();
    AtomicInteger skipComputes = new AtomicInteger();
    AtomicInteger lateComputes = new AtomicInteger();
    ActorTestKit before = TestNodes.start("ScheduleTestBefore", TestNodes.manualTimeConfig(config));
    TestClock beforeClock = TestClock.of(before, berlin("2027-01-10T12:00"));
    try {
      Kck kck = Kck.builder(before.system()).clock(beforeClock)
          .primers(primer("sched-run", twoAm.missedTicks(RefreshSchedule.MissedTicks.RUN_ONCE), runComputes),
              primer("sched-skip", null, skipComputes), primer("sched-late", lateSkipped, lateComputes))
          .start();
      TestNodes.warmUp(before, beforeClock, kck, "sched-run/a");
      TestNodes.warmUp(before, beforeClock, kck, "sched-skip/a");
      TestNodes.warmUp(before, beforeClock, kck, "sched-late/a");
      ticks(before, beforeClock, done -> done.containsKey("sched-run") && done.containsKey("sched-skip")
          && done.containsKey("sched-late"));
    } finally {
      TestNodes.shutdown(before, beforeClock);
    }

    // Every node was down for three days: the ticks of the 11th, 12th and 13th passed unseen.
    AtomicInteger runAfter = new AtomicInteger();
    AtomicInteger skipAfter = new AtomicInteger();
    AtomicInteger lateAfter = new AtomicInteger();
    ActorTestKit after = TestNodes.start("ScheduleTestAfter", TestNodes.manualTimeConfig(config));
    TestClock clock = TestClock.of(after, berlin("2027-01-13T12:00"));
    try {
      Kck kck = Kck.builder(after.system()).clock(clock)
          .primers(primer("sched-run", twoAm.missedTicks(RefreshSchedule.MissedTicks.RUN_ONCE), runAfter),
              primer("sched-skip", null, skipAfter), primer("sched-late", lateSkipped, lateAfter))
          .start();
      TestNodes.warmUp(after, clock, kck, "sched-run/a");
      TestNodes.warmUp(after, clock, kck, "sched-skip/a");
      TestNodes.warmUp(after, clock, kck, "sched-late/a");
      long lastMissed = berlin("2027-01-13T02:00").toEpochMilli();
      long late = berlin("2027-01-13T11:58").toEpochMilli();
      Map<String, TickDone> done = ticks(after, clock, all -> all.get("sched-run").tickMillis() == lastMissed
          && all.get("sched-skip").tickMillis() == lastMissed && all.get("sched-late").tickMillis() == late);
      assertTrue(done.get("sched-run").ran(), "run-once: the newest missed tick is run");
      assertFalse(done.get("sched-skip").ran(), "skip: it is recorded as skipped");
      assertTrue(done.get("sched-late").ran(), "skip, but two minutes late is within kck.schedules.late-tick-grace");
      Eventually.until("the late tick run", () -> lateAfter.get(), count -> count == 1);
      Eventually.until("the missed tick run once", () -> runAfter.get(), count -> count == 1);
      assertEquals(0, skipAfter.get(), "the skipping primer waits for its next tick (its value loaded, not computed)");

      timePassesUntil(after, clock, berlin("2027-01-14T02:00"));
      Eventually.until("both primers' next tick", () -> runAfter.get() + skipAfter.get(), sum -> sum == 3);
      assertEquals(2, runAfter.get(), "the missed tick once, and the next one; not once per missed day");
      assertEquals(1, skipAfter.get());
    } finally {
      TestNodes.shutdown(after, clock);
    }
  }

  /** Waits until sched-daily/a holds a value computed at {@code instant} (KCK's clock does not move meanwhile). */
  private static void refreshedAt(Kck kck, Instant instant) {
    Eventually.until("a refresh at " + instant, () -> Stages.await(kck.getEntry("sched-daily/a")).computedAt(),
        instant::equals);
  }

  /**
   * Brings KCK's clock to {@code instant}, the schedules' own timer firing on the way. The hours
   * before its last second are skipped on KCK's clock alone ({@link TestClock#setForward}: Akka's
   * manual time would replay every periodic timer of the cluster in them), and the schedules are
   * told to look, as their timer would, so that they arm it from the new time; the last second
   * passes on Akka's timers.
   */
  private static void timePassesUntil(ActorTestKit testKit, TestClock clock, Instant instant) {
    clock.setForward(instant.minusSeconds(1));
    schedules(testKit).tell(ScheduledTicks.Check.INSTANCE);
    ticks(testKit, clock, all -> true); // answered after the look: the timer is armed from the new time
    Duration left = Duration.between(clock.instant(), instant);
    assertFalse(left.isNegative(), "the clock is already past " + instant);
    clock.timePasses(left);
  }

  private static ActorRef<ScheduledTicks.Command> schedules(ActorTestKit testKit) {
    return ClusterSingleton.get(testKit.system())
        .init(SingletonActor.of(Behaviors.<ScheduledTicks.Command>empty(), "kck-schedules"));
  }

  /**
   * The schedules' journaled ticks, once {@code ready}: asked of the singleton, moving the manual
   * clock on by moments while it starts (it starts on timers).
   */
  private static Map<String, TickDone> ticks(ActorTestKit testKit, TestClock clock,
      Predicate<Map<String, TickDone>> ready) {
    ActorRef<ScheduledTicks.Command> schedules = schedules(testKit);
    Supplier<CompletableFuture<ScheduledTicks.Ticks>> ask = () -> AskPattern.<ScheduledTicks.Command,
        ScheduledTicks.Ticks>ask(schedules, ScheduledTicks.Describe::new, Duration.ofSeconds(5),
        testKit.system().scheduler()).toCompletableFuture();
    AtomicReference<CompletableFuture<ScheduledTicks.Ticks>> answer = new AtomicReference<>(ask.get());
    return Eventually.until("the schedules' ticks", Duration.ofSeconds(60), () -> {
      CompletableFuture<ScheduledTicks.Ticks> current = answer.get();
      if (!current.isDone()) {
        clock.timePasses(Duration.ofMillis(100));
        return Map.<String, TickDone>of();
      }
      answer.set(ask.get());
      return current.isCompletedExceptionally() ? Map.<String, TickDone>of() : current.join().done();
    }, ready);
  }
}
