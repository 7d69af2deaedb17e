package io.kck.entity.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.kck.primer.Primer;
import io.kck.primer.RefreshSchedule;
import io.kck.primer.internal.PrimerRegistry;
import io.kck.primer.internal.ScheduleConfig;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The refresh schedules of a node's primers, resolved once at start: each primer's own ({@link
 * Primer#refreshSchedule()}), overridden by {@code kck.primers."<name>".refresh-schedule}, with
 * {@code kck.schedules.missed-ticks} for a schedule that names no policy. Immutable.
 *
 * @param schedules by primer name, each with its missed-ticks policy set; empty when no primer has one
 * @param lateTickGrace a tick found due at start no later than this is run whatever the policy
 */
public record ScheduleSettings(Map<String, RefreshSchedule> schedules, Duration lateTickGrace) {

  public ScheduleSettings {
    schedules = Map.copyOf(schedules);
  }

  /**
   * @throws IllegalArgumentException naming the path of an invalid setting
   */
  public static ScheduleSettings fromConfig(Config config, PrimerRegistry primers) {
    RefreshSchedule.MissedTicks policy = ScheduleConfig.missedTicks("kck.schedules.missed-ticks",
        config.getString("kck.schedules.missed-ticks"));
    Duration grace;
    try {
      grace = config.getDuration("kck.schedules.late-tick-grace");
    } catch (ConfigException e) {
      throw new IllegalArgumentException("kck.schedules.late-tick-grace: " + e.getMessage(), e);
    }
    if (grace.isNegative()) {
      throw new IllegalArgumentException("kck.schedules.late-tick-grace must not be negative, got " + grace);
    }
    Map<String, RefreshSchedule> schedules = new TreeMap<>();
    for (Primer<?> primer : primers.primers()) {
      String path = "kck.primers.\"" + primer.name() + "\".refresh-schedule";
      RefreshSchedule schedule = config.hasPath(path)
          ? ScheduleConfig.fromConfig(path, config.getConfig(path))
          : primer.refreshSchedule().orElse(null);
      if (schedule != null) {
        schedules.put(primer.name(), schedule.missedTicks().isPresent() ? schedule : schedule.missedTicks(policy));
      }
    }
    return new ScheduleSettings(schedules, grace);
  }

  /** The missed-ticks policy of {@code primer}'s schedule (RUN_ONCE for a primer without one). */
  public RefreshSchedule.MissedTicks missedTicks(String primer) {
    RefreshSchedule schedule = schedules.get(primer);
    return schedule == null ? RefreshSchedule.MissedTicks.RUN_ONCE
        : schedule.missedTicks().orElse(RefreshSchedule.MissedTicks.RUN_ONCE);
  }
}
