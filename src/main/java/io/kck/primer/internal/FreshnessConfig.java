package io.kck.primer.internal;

import com.typesafe.config.Config;
import io.kck.primer.Freshness;
import java.time.Duration;

/**
 * A {@link Freshness} read from HOCON, as {@code kck.primers."<name>".freshness} and the SQL
 * primers' {@code freshness} write it (see {@code reference.conf}). Applications declare a
 * primer's freshness in code with {@link Freshness}'s factories, or in those settings.
 */
public final class FreshnessConfig {
  private FreshnessConfig() {}

  /**
   * Reads a policy: {@code policy = never-expires | periodic | max-age | always-fresh}, with
   * {@code interval} and optional {@code jitter} for periodic, {@code soft-age} and {@code
   * hard-age} for max-age.
   *
   * @throws IllegalArgumentException naming {@code path} when the policy is unknown or incomplete
   */
  public static Freshness fromConfig(String path, Config config) {
    try {
      String policy = config.getString("policy");
      return switch (policy) {
        case "never-expires" -> Freshness.neverExpires();
        case "always-fresh" -> Freshness.alwaysFresh();
        case "periodic" -> Freshness.periodic(
            config.getDuration("interval"),
            config.hasPath("jitter") ? config.getDuration("jitter") : Duration.ZERO);
        case "max-age" -> Freshness.maxAge(config.getDuration("soft-age"), config.getDuration("hard-age"));
        default -> throw new IllegalArgumentException(
            "unknown policy '" + policy + "' (never-expires, periodic, max-age, always-fresh)");
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Invalid freshness at " + path + ": " + e.getMessage(), e);
    }
  }
}
