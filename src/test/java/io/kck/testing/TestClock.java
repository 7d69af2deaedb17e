package io.kck.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One clock for a test on Akka's manual time: the {@link Clock} KCK reads ages and deadlines from
 * (given to {@code Kck.builder(system).clock(...)}) moves exactly when, and as far as, Akka's
 * timers do. {@link #timePasses} moves the clock first, then fires the timers that are due, so an
 * actor handling a timer sees the time it fired at.
 */
public final class TestClock extends Clock {
  private final ManualTime timers;
  private final AtomicReference<Instant> now;

  private TestClock(ManualTime timers, AtomicReference<Instant> now) {
    this.timers = timers;
    this.now = now;
  }

  /** The clock of a test kit started with {@link TestNodes#manualTimeConfig}; it starts at the wall clock's now. */
  public static TestClock of(ActorTestKit testKit) {
    return new TestClock(ManualTime.get(testKit.system()), new AtomicReference<>(Instant.now()));
  }

  /** The clock of a test kit started with {@link TestNodes#manualTimeConfig}, starting at {@code start}. */
  public static TestClock of(ActorTestKit testKit, Instant start) {
    return new TestClock(ManualTime.get(testKit.system()), new AtomicReference<>(start));
  }

  public void timePasses(Duration amount) {
    now.updateAndGet(instant -> instant.plus(amount));
    timers.timePasses(amount);
  }

  /**
   * Sets KCK's clock forward to {@code instant} without firing Akka's timers, as a host's wall clock
   * that is set forward: for tests that skip hours, which Akka's manual time would replay one
   * periodic timer firing at a time (a day of cluster timers is minutes of CPU).
   */
  public void setForward(Instant instant) {
    Instant before = now.getAndUpdate(current -> instant.isAfter(current) ? instant : current);
    if (!instant.isAfter(before)) {
      throw new IllegalArgumentException("the clock is at " + before + ", not before " + instant);
    }
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (!zone.equals(ZoneOffset.UTC)) {
      throw new UnsupportedOperationException("a test clock is UTC");
    }
    return this;
  }
}
