package io.kck.entity;

import com.typesafe.config.Config;
import io.kck.primer.Freshness;
import io.kck.primer.Primer;
import io.kck.primer.Propagation;
import java.time.Duration;

/**
 * The key entities' settings, read once from {@code kck.*} at start-up. Immutable.
 *
 * @param computeTimeout {@code kck.compute.timeout}, the default for every primer
 * @param primerOverrides {@code kck.primers}, per primer name
 */
public record EntitySettings(
    Duration computeTimeout,
    Duration backoffMin,
    Duration backoffMax,
    double backoffFactor,
    int snapshotEvery,
    int keepSnapshots,
    int stashCapacity,
    Duration staleIfError,
    Duration wakeInterval,
    Duration journalBackoffMin,
    Duration journalBackoffMax,
    Duration coalesceWindow,
    int augmentSnapshotEvery,
    long augmentSnapshotBytes,
    boolean localHits,
    Config primerOverrides) {

  public EntitySettings {
    requirePositive("kck.compute.timeout", computeTimeout);
    requirePositive("kck.compute.backoff-min", backoffMin);
    requirePositive("kck.freshness.wake-interval", wakeInterval);
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
    if (snapshotEvery < 1 || keepSnapshots < 1 || stashCapacity < 1) {
      throw new IllegalArgumentException(
          "kck.entity: snapshot-every, keep-snapshots and stash-capacity must be at least 1");
    }
  }

  public static EntitySettings fromConfig(Config config) {
    Config kck = config.getConfig("kck");
    return new EntitySettings(
        kck.getDuration("compute.timeout"),
        kck.getDuration("compute.backoff-min"),
        kck.getDuration("compute.backoff-max"),
        kck.getDouble("compute.backoff-factor"),
        kck.getInt("entity.snapshot-every"),
        kck.getInt("entity.keep-snapshots"),
        kck.getInt("entity.stash-capacity"),
        kck.getDuration("freshness.stale-if-error"),
        kck.getDuration("freshness.wake-interval"),
        kck.getDuration("entity.journal-backoff-min"),
        kck.getDuration("entity.journal-backoff-max"),
        kck.getDuration("dependencies.coalesce-window"),
        kck.getInt("augment.snapshot-every"),
        kck.getBytes("augment.snapshot-after-bytes"),
        kck.getBoolean("entity.local-hits"),
        kck.getConfig("primers"));
  }

  /** HOCON's override, else the primer's own, else the default. */
  public Duration computeTimeout(Primer<?> primer) {
    String path = "\"" + primer.name() + "\".compute-timeout";
    if (primerOverrides.hasPath(path)) {
      return primerOverrides.getDuration(path);
    }
    return primer.computeTimeout().orElse(computeTimeout);
  }

  /** HOCON's {@code kck.primers."<name>".freshness}, else the primer's own policy. */
  public Freshness freshness(Primer<?> primer) {
    String path = "\"" + primer.name() + "\".freshness";
    if (primerOverrides.hasPath(path)) {
      return Freshness.fromConfig("kck.primers." + path, primerOverrides.getConfig(path));
    }
    return primer.freshness();
  }

  /** HOCON's {@code kck.primers."<name>".compute-on-miss}, else the primer's own. */
  public boolean computeOnMiss(Primer<?> primer) {
    String path = "\"" + primer.name() + "\".compute-on-miss";
    return primerOverrides.hasPath(path) ? primerOverrides.getBoolean(path) : primer.computeOnMiss();
  }

  /** HOCON's {@code kck.primers."<name>".propagation} (eager or lazy), else the primer's own. */
  public Propagation propagation(Primer<?> primer) {
    String path = "\"" + primer.name() + "\".propagation";
    if (!primerOverrides.hasPath(path)) {
      return primer.propagation();
    }
    String policy = primerOverrides.getString(path);
    try {
      return Propagation.valueOf(policy.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "kck.primers." + path + " must be eager or lazy, got '" + policy + "'", e);
    }
  }

  /**
   * How old a value may be and still be served when the compute meant to replace it failed:
   * {@code kck.primers."<name>".stale-if-error}, else {@code kck.freshness.stale-if-error}.
   */
  public Duration staleIfError(Primer<?> primer) {
    String path = "\"" + primer.name() + "\".stale-if-error";
    return primerOverrides.hasPath(path) ? primerOverrides.getDuration(path) : staleIfError;
  }

  /** The wait after {@code consecutiveFailures} failed computes in a row (1 or more). */
  public Duration backoffAfter(int consecutiveFailures) {
    double millis = backoffMin.toMillis() * Math.pow(backoffFactor, consecutiveFailures - 1);
    return millis >= backoffMax.toMillis() ? backoffMax : Duration.ofMillis((long) millis);
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
