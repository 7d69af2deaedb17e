package io.kck.primer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.kck.primer.RefreshSchedule;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** refresh-schedule blocks of HOCON: what they read as, and every mistake named by its path. */
@Tag("unit")
class ScheduleConfigTest {
  static final String PATH = "kck.primers.\"nightly\".refresh-schedule";

  static RefreshSchedule read(String hocon) {
    return ScheduleConfig.fromConfig(PATH, ConfigFactory.parseString(hocon));
  }

  @Test
  void aBlockReadsAsTheScheduleItNames() {
    RefreshSchedule schedule = read("cron = \"0 2 * * *\", zone = \"Europe/Berlin\", missed-ticks = skip");
    assertEquals(RefreshSchedule.cron("0 2 * * *", ZoneId.of("Europe/Berlin")).missedTicks(RefreshSchedule.MissedTicks.SKIP),
        schedule);
    RefreshSchedule utc = read("cron = \"*/15 * * * *\"");
    assertEquals(ZoneId.of("UTC"), utc.zone());
    assertEquals(Optional.empty(), utc.missedTicks(), "kck.schedules.missed-ticks decides");
  }

  @Test
  void everyMistakeNamesItsPath() {
    assertNamed(PATH + ".cron is missing", "zone = UTC");
    assertNamed(PATH + ".cron: Invalid cron expression '0 25 * * *'", "cron = \"0 25 * * *\"");
    assertNamed(PATH + ".zone is not a time zone id", "cron = \"0 2 * * *\", zone = \"Europe/Berlinn\"");
    assertNamed(PATH + ".missed-ticks must be run-once or skip, got 'twice'", "cron = \"0 2 * * *\", missed-ticks = twice");
    assertNamed(PATH + ".crn is not a setting of a refresh schedule", "crn = \"0 2 * * *\"");
  }

  private static void assertNamed(String expected, String hocon) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(hocon));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
