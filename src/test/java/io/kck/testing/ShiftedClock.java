package io.kck.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The wall clock, moved ahead by hand: for days and months of KCK's own time (ages, retention)
 * while Akka's scheduler keeps real time, which its cluster and timeouts need. Thread-safe.
 */
public final class ShiftedClock extends Clock {
  private final AtomicReference<Duration> shift = new AtomicReference<>(Duration.ZERO);

  public void timePasses(Duration amount) {
    shift.updateAndGet(current -> current.plus(amount));
  }

  /** Moves the clock on to {@code instant}, as a host's wall clock that is set forward. */
  public void setForward(Instant instant) {
    Duration left = Duration.between(instant(), instant);
    if (left.isNegative()) {
      throw new IllegalArgumentException("the clock is already past " + instant);
    }
    timePasses(left);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(shift.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a test clock has one zone");
  }
}
