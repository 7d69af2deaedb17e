package io.kck.primer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** Ticks of cron expressions in a time zone, across both daylight-saving changes, and bad input. */
class RefreshScheduleTest {
  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  static Instant berlin(String localDateTime) {
    return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), BERLIN).toInstant();
  }

  @Test
  void aDailyTickIsAtItsLocalTimeInWinterAndSummer() {
    RefreshSchedule daily = RefreshSchedule.cron("0 2 * * *", BERLIN);
    assertEquals(Instant.parse("2027-01-10T01:00:00Z"), daily.nextTickAfter(berlin("2027-01-09T12:00")).orElseThrow());
    assertEquals(Instant.parse("2027-07-10T00:00:00Z"), daily.nextTickAfter(berlin("2027-07-09T12:00")).orElseThrow());
  }

  @Test
  void aLocalTimeThatTheSpringChangeSkipsTicksOnceAtTheEndOfTheGap() {
    // 2027-03-28: at 02:00 local (01:00Z) the clocks go to 03:00; 02:30 does not exist that day.
    RefreshSchedule halfPastTwo = RefreshSchedule.cron("30 2 * * *", BERLIN);
    Instant saturday = berlin("2027-03-27T02:30");
    Instant gap = halfPastTwo.nextTickAfter(saturday).orElseThrow();
    assertEquals(Instant.parse("2027-03-28T01:00:00Z"), gap, "the day's tick, at 03:00 local");
    assertEquals(berlin("2027-03-29T02:30"), halfPastTwo.nextTickAfter(gap).orElseThrow(), "then daily again");
    assertEquals(gap, halfPastTwo.lastTickAtOrBefore(berlin("2027-03-28T12:00")).orElseThrow());
    assertEquals(gap, halfPastTwo.lastTickAtOrBefore(gap).orElseThrow(), "a tick at the instant itself is the last");
    // A time after the gap is not moved.
    RefreshSchedule three = RefreshSchedule.cron("0 3 * * *", BERLIN);
    assertEquals(Instant.parse("2027-03-28T01:00:00Z"), three.nextTickAfter(berlin("2027-03-27T12:00")).orElseThrow());
    assertEquals(berlin("2027-03-29T03:00"), three.nextTickAfter(Instant.parse("2027-03-28T01:00:00Z")).orElseThrow());
  }

  @Test
  void aLocalTimeThatTheAutumnChangeRepeatsTicksOnce() {
    // 2027-10-31: at 03:00 local (01:00Z) the clocks go back to 02:00; 02:30 happens twice.
    RefreshSchedule halfPastTwo = RefreshSchedule.cron("30 2 * * *", BERLIN);
    Instant first = halfPastTwo.nextTickAfter(berlin("2027-10-30T12:00")).orElseThrow();
    assertEquals(Instant.parse("2027-10-31T00:30:00Z"), first);
    assertEquals(Instant.parse("2027-11-01T01:30:00Z"), halfPastTwo.nextTickAfter(first).orElseThrow());
  }

  @Test
  void badInputIsRefusedNamingTheExpression() {
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> RefreshSchedule.cron("61 2 * * *", BERLIN));
    assertTrue(range.getMessage().contains("'61 2 * * *'") && range.getMessage().contains("61"), range.getMessage());
    IllegalArgumentException fields = assertThrows(IllegalArgumentException.class,
        () -> RefreshSchedule.cron("0 2 * *", BERLIN));
    assertTrue(fields.getMessage().contains("five fields"), fields.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RefreshSchedule.cron("0 2 * * *", null));
    assertThrows(IllegalArgumentException.class, () -> RefreshSchedule.cron(" ", BERLIN));
  }
}
