package io.kck.entity.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.kck.entity.KeyState;
import java.time.Duration;
import java.time.Instant;

/**
 * When a primer's keys are forgotten: {@code kck.retention}, overridden per primer by {@code
 * kck.primers."<name>".retention}. Immutable.
 *
 * @param forgetAfter a key nobody read or wrote for this long is forgotten; {@code null}: never
 *     ("off")
 * @param forgetSupplied whether a key whose value holds data only the application has (a put, or
 *     an augment since its last compute) may be forgotten too; it cannot be computed again
 */
public record RetentionPolicy(Duration forgetAfter, boolean forgetSupplied) {

  /** A policy that keeps every key. */
  public static final RetentionPolicy KEEP = new RetentionPolicy(null, false);

  /** Reads recorded closer together than this add nothing: a tenth of the retention. */
  public Duration touchInterval() {
    return forgetAfter.dividedBy(10);
  }

  public boolean forgets() {
    return forgetAfter != null;
  }

  /**
   * Until when a stopped key's entry may answer gets without its actor (epoch milliseconds): while
   * the last use journaled in {@code state} is within the touch interval. Past it the next get goes
   * to the key, whose start journals the use, so a key read only from the read tier is not forgotten.
   */
  public long servedWithoutRecordingUntilMillis(KeyState state) {
    if (!forgets()) {
      return PrimerSettings.NO_DEADLINE;
    }
    Instant used = state.lastUsed();
    return used == null ? 0 : used.plus(touchInterval()).toEpochMilli();
  }

  /**
   * {@code defaults} with what {@code block} (a {@code retention} block, or null) sets.
   *
   * @throws IllegalArgumentException naming {@code path} and the setting that is invalid
   */
  static RetentionPolicy read(String path, Config block, RetentionPolicy defaults) {
    if (block == null) {
      return defaults;
    }
    for (String setting : block.root().keySet()) {
      if (!setting.equals("forget-after") && !setting.equals("forget-supplied")) {
        throw new IllegalArgumentException(path + "." + setting + " is not a retention setting (known: forget-after,"
            + " forget-supplied)");
      }
    }
    Duration forgetAfter = defaults.forgetAfter();
    if (block.hasPath("forget-after")) {
      String raw = block.getString("forget-after").trim();
      if (raw.equals("off")) {
        forgetAfter = null;
      } else {
        try {
          forgetAfter = block.getDuration("forget-after");
        } catch (ConfigException e) {
          throw new IllegalArgumentException(path + ".forget-after must be a duration (30d) or off, got '" + raw + "'", e);
        }
        if (forgetAfter.compareTo(Duration.ofMinutes(1)) < 0) {
          throw new IllegalArgumentException(path + ".forget-after must be at least 1 minute, or off; got " + raw);
        }
      }
    }
    boolean forgetSupplied = block.hasPath("forget-supplied") ? block.getBoolean("forget-supplied") : defaults.forgetSupplied();
    return new RetentionPolicy(forgetAfter, forgetSupplied);
  }
}
