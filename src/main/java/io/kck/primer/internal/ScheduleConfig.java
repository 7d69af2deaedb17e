package io.kck.primer.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.kck.primer.RefreshSchedule;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link RefreshSchedule} read from HOCON, as {@code kck.primers."<name>".refresh-schedule} and
 * the SQL primers' {@code refresh-schedule} write it: {@code cron} (five fields), {@code zone} (an
 * IANA zone id such as {@code Europe/Berlin}; {@code UTC} when absent) and optional {@code
 * missed-ticks} ({@code run-once} or {@code skip}).
 */
public final class ScheduleConfig {
  private static final Set<String> KNOWN = Set.of("cron", "zone", "missed-ticks");

  private ScheduleConfig() {}

  /**
   * @throws IllegalArgumentException naming {@code path} and the setting when one is unknown,
   *     missing or invalid
   */
  public static RefreshSchedule fromConfig(String path, Config config) {
    for (String setting : config.root().keySet()) {
      if (!KNOWN.contains(setting)) {
        throw new IllegalArgumentException(path + "." + setting + " is not a setting of a refresh schedule (known: "
            + String.join(", ", new TreeSet<>(KNOWN)) + ")");
      }
    }
    try {
      ZoneId zone;
      try {
        zone = ZoneId.of(config.hasPath("zone") ? config.getString("zone") : "UTC");
      } catch (DateTimeException e) {
        throw new IllegalArgumentException(path + ".zone is not a time zone id (like Europe/Berlin or UTC): "
            + e.getMessage(), e);
      }
      if (!config.hasPath("cron")) {
        throw new IllegalArgumentException(path + ".cron is missing (five fields, for example \"0 2 * * *\")");
      }
      RefreshSchedule schedule;
      try {
        schedule = RefreshSchedule.cron(config.getString("cron"), zone);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(path + ".cron: " + e.getMessage(), e);
      }
      return config.hasPath("missed-ticks")
          ? schedule.missedTicks(missedTicks(path + ".missed-ticks", config.getString("missed-ticks")))
          : schedule;
    } catch (ConfigException e) {
      throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code run-once} or {@code skip}.
   *
   * @throws IllegalArgumentException naming {@code path} for anything else
   */
  public static RefreshSchedule.MissedTicks missedTicks(String path, String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "run-once" -> RefreshSchedule.MissedTicks.RUN_ONCE;
      case "skip" -> RefreshSchedule.MissedTicks.SKIP;
      default -> throw new IllegalArgumentException(path + " must be run-once or skip, got '" + text + "'");
    };
  }
}
