package io.kck.entity.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import io.kck.primer.Primer;
import io.kck.primer.internal.PrimerRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The key entities' settings, read once from {@code kck.*} at start-up. Immutable.
 *
 * @param computeTimeout {@code kck.compute.timeout}, the default for every primer
 * @param primers every registered primer's settings, by name, with {@code kck.primers} applied
 */
public record EntitySettings(
    Duration computeTimeout,
    Duration backoffMin,
    Duration backoffMax,
    double backoffFactor,
    int snapshotEvery,
    long snapshotAfterBytes,
    int keepSnapshots,
    int stashCapacity,
    Duration staleIfError,
    Duration wakeInterval,
    Duration journalBackoffMin,
    Duration journalBackoffMax,
    Duration coalesceWindow,
    Duration inputCheckTimeout,
    Duration reannounceWindow,
    long carriedValueLimit,
    int augmentSnapshotEvery,
    long augmentSnapshotBytes,
    boolean localHits,
    long maxValueBytes,
    Map<String, PrimerSettings> primers) {

  /** The least and the most {@code kck.max-value-bytes} may be. */
  public static final long MIN_VALUE_BYTES = 1024;
  public static final long MAX_VALUE_BYTES = 256L << 20;

  public EntitySettings {
    primers = Map.copyOf(primers);
    requirePositive("kck.compute.timeout", computeTimeout);
    requirePositive("kck.compute.backoff-min", backoffMin);
    if (backoffMin.toMillis() < 1) {
      throw new IllegalArgumentException("kck.compute.backoff-min must be at least 1ms, got " + backoffMin);
    }
    requirePositive("kck.freshness.wake-interval", wakeInterval);
    requirePositive("kck.dependencies.input-check-timeout", inputCheckTimeout);
    if (reannounceWindow.isNegative()) {
      throw new IllegalArgumentException("kck.dependencies.reannounce-window must not be negative");
    }
    if (carriedValueLimit < 0) {
      throw new IllegalArgumentException("kck.dependencies.carry-values-up-to must not be negative");
    }
    if (coalesceWindow.isNegative()) {
      throw new IllegalArgumentException("kck.dependencies.coalesce-window must not be negative");
    }
    if (staleIfError.isNegative()) {
      throw new IllegalArgumentException("kck.freshness.stale-if-error must not be negative");
    }
    if (backoffMax.compareTo(backoffMin) < 0) {
      throw new IllegalArgumentException("kck.compute.backoff-max must not be below backoff-min");
    }
    if (backoffFactor < 1.0) {
      throw new IllegalArgumentException("kck.compute.backoff-factor must be at least 1.0");
    }
    if (augmentSnapshotEvery < 1 || augmentSnapshotBytes < 1) {
      throw new IllegalArgumentException(
          "kck.augment: snapshot-every and snapshot-after-bytes must be at least 1");
    }
    if (maxValueBytes < MIN_VALUE_BYTES || maxValueBytes > MAX_VALUE_BYTES) {
      throw new IllegalArgumentException("kck.max-value-bytes must be between 1KiB and 256MiB, got " + maxValueBytes
          + " bytes");
    }
    if (snapshotEvery < 1 || snapshotAfterBytes < 1 || keepSnapshots < 1 || stashCapacity < 1) {
      throw new IllegalArgumentException(
          "kck.entity: snapshot-every, snapshot-after-bytes, keep-snapshots and stash-capacity must be at least 1");
    }
  }

  /**
   * Reads {@code kck.*} and resolves the settings of every primer of {@code registry}.
   *
   * @throws IllegalArgumentException naming the path of a missing, unknown or invalid setting, or
   *     of a {@code kck.primers} block for a primer that is not registered
   */
  public static EntitySettings fromConfig(Config config, PrimerRegistry registry) {
    try {
      nearCacheMaxAge(config); // checked here, before KCK starts anything
      return read(config.getConfig("kck"), registry);
    } catch (ConfigException e) {
      // Typesafe Config names the path relative to the object it was asked; say where it is.
      throw new IllegalArgumentException("Invalid KCK setting under kck: " + e.getMessage(), e);
    }
  }

  private static EntitySettings read(Config kck, PrimerRegistry registry) {
    Duration computeTimeout = kck.getDuration("compute.timeout");
    Duration staleIfError = kck.getDuration("freshness.stale-if-error");
    RetentionPolicy retention = RetentionPolicy.read("kck.retention",
        kck.getConfig("retention").withoutPath("sweep-interval").withoutPath("max-per-sweep")
            .withoutPath("sweep-page-rows"), RetentionPolicy.KEEP);
    Config overrides = kck.getConfig("primers");
    for (String name : overrides.root().keySet()) {
      if (registry.find(name).isEmpty()) {
        throw new IllegalArgumentException("kck.primers.\"" + name + "\" configures a primer that is not registered"
            + " (registered: " + registry.primers().stream().map(Primer::name).sorted().toList() + ")");
      }
    }
    Map<String, PrimerSettings> primers = new HashMap<>();
    for (Primer<?> primer : registry.primers()) {
      String path = "\"" + primer.name() + "\"";
      if (overrides.hasPath(path) && overrides.getValue(path).valueType() != ConfigValueType.OBJECT) {
        throw new IllegalArgumentException("kck.primers." + path + " must be an object of settings, got "
            + overrides.getValue(path).valueType().name().toLowerCase(Locale.ROOT));
      }
      primers.put(primer.name(), PrimerSettings.resolve(
          primer, overrides.hasPath(path) ? overrides.getConfig(path) : null, computeTimeout, staleIfError, retention));
    }
    return new EntitySettings(
        computeTimeout,
        kck.getDuration("compute.backoff-min"),
        kck.getDuration("compute.backoff-max"),
        kck.getDouble("compute.backoff-factor"),
        kck.getInt("entity.snapshot-every"),
        kck.getBytes("entity.snapshot-after-bytes"),
        kck.getInt("entity.keep-snapshots"),
        kck.getInt("entity.stash-capacity"),
        staleIfError,
        kck.getDuration("freshness.wake-interval"),
        kck.getDuration("entity.journal-backoff-min"),
        kck.getDuration("entity.journal-backoff-max"),
        kck.getDuration("dependencies.coalesce-window"),
        kck.getDuration("dependencies.input-check-timeout"),
        kck.getDuration("dependencies.reannounce-window"),
        kck.getBytes("dependencies.carry-values-up-to"),
        kck.getInt("augment.snapshot-every"),
        kck.getBytes("augment.snapshot-after-bytes"),
        kck.getBoolean("entity.local-hits"),
        kck.getBytes("max-value-bytes"),
        primers);
  }

  /**
   * The settings of {@code primer}, resolved at start-up.
   *
   * @throws IllegalArgumentException if the primer was not registered when KCK started
   */
  public PrimerSettings of(Primer<?> primer) {
    PrimerSettings resolved = primers.get(primer.name());
    if (resolved == null) {
      throw new IllegalArgumentException("Primer '" + primer.name() + "' was not registered when KCK started");
    }
    return resolved;
  }

  /**
   * Why a value or delta of {@code jsonLength} bytes of JSON is refused ({@code kck.max-value-bytes}),
   * as the end of a sentence that begins with what it is ("its value is ..."); null when it fits.
   */
  public String tooLarge(long jsonLength) {
    if (jsonLength <= maxValueBytes) {
      return null;
    }
    return String.format(Locale.ROOT, "%,d bytes as JSON, more than kck.max-value-bytes allows (%s = %,d bytes)",
        jsonLength, readable(maxValueBytes), maxValueBytes);
  }

  private static String readable(long bytes) {
    if (bytes % (1 << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    return bytes % 1024 == 0 ? (bytes >> 10) + " KiB" : bytes + " bytes";
  }

  /** The wait after {@code consecutiveFailures} failed computes in a row (1 or more). */
  public Duration backoffAfter(int consecutiveFailures) {
    double millis = backoffMin.toMillis() * Math.pow(backoffFactor, consecutiveFailures - 1);
    return millis >= backoffMax.toMillis() ? backoffMax : Duration.ofMillis((long) millis);
  }

  /** {@code kck.freshness.max-warm-keys}: at least 0. */
  public static int maxWarmKeys(Config config) {
    int max = config.getInt("kck.freshness.max-warm-keys");
    if (max < 0) {
      throw new IllegalArgumentException("kck.freshness.max-warm-keys must not be negative, got " + max);
    }
    return max;
  }

  /** {@code kck.retention.sweep-interval}: positive. */
  public static Duration sweepInterval(Config config) {
    Duration interval = config.getDuration("kck.retention.sweep-interval");
    requirePositive("kck.retention.sweep-interval", interval);
    return interval;
  }

  /** {@code kck.retention.max-per-sweep}: at least 1. */
  public static int maxPerSweep(Config config) {
    int max = config.getInt("kck.retention.max-per-sweep");
    if (max < 1) {
      throw new IllegalArgumentException("kck.retention.max-per-sweep must be at least 1, got " + max);
    }
    return max;
  }

  /** {@code kck.retention.sweep-page-rows}: at least 1. */
  public static int sweepPageRows(Config config) {
    int rows = config.getInt("kck.retention.sweep-page-rows");
    if (rows < 1) {
      throw new IllegalArgumentException("kck.retention.sweep-page-rows must be at least 1, got " + rows);
    }
    return rows;
  }

  /** {@code kck.entity.max-live}: a positive number, or off (0). */
  public static int maxLive(Config config) {
    String path = "kck.entity.max-live";
    if (config.getString(path).equals("off")) {
      return 0;
    }
    int max = config.getInt(path);
    if (max < 1) {
      throw new IllegalArgumentException(path + " must be positive or off, got " + max);
    }
    return max;
  }

  /** {@code kck.request-resend-after}: positive, or off (zero). */
  public static Duration resendAfter(Config config) {
    String path = "kck.request-resend-after";
    if (config.getString(path).equals("off")) {
      return Duration.ZERO;
    }
    Duration after = config.getDuration(path);
    requirePositive(path, after);
    return after;
  }

  /** {@code kck.read-tier.max-weight}: at least 1 MiB. */
  public static long tierMaxWeight(Config config) {
    long max = config.getBytes("kck.read-tier.max-weight");
    if (max < 1 << 20) {
      throw new IllegalArgumentException("kck.read-tier.max-weight must be at least 1MiB, got " + max + " bytes");
    }
    return max;
  }

  /**
   * How often this node wakes its shards' sentinels: {@code kck.read-tier.sentinel-wake-interval},
   * but at most half the keys' idle timeout, so that idle passivation never stops a sentinel.
   */
  public static Duration sentinelWakeInterval(Config config) {
    Duration interval = config.getDuration("kck.read-tier.sentinel-wake-interval");
    requirePositive("kck.read-tier.sentinel-wake-interval", interval);
    String idlePath = "kck.sharding.passivation.default-idle-strategy.idle-entity.timeout";
    if (config.hasPath(idlePath) && !config.getString(idlePath).equals("off")) {
      Duration half = config.getDuration(idlePath).dividedBy(2);
      if (!half.isZero() && half.compareTo(interval) < 0) {
        return half;
      }
    }
    return interval;
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /**
   * {@code kck.near-cache.max-age}, once it and {@code max-entries} are checked.
   *
   * @throws IllegalArgumentException naming the setting that is out of range
   */
  public static Duration nearCacheMaxAge(Config config) {
    Duration maxAge = config.getDuration("kck.near-cache.max-age");
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("kck.near-cache.max-age must be positive, got " + maxAge);
    }
    if (config.getLong("kck.near-cache.max-entries") < 1) {
      throw new IllegalArgumentException("kck.near-cache.max-entries must be at least 1, got "
          + config.getLong("kck.near-cache.max-entries"));
    }
    return maxAge;
  }
}
