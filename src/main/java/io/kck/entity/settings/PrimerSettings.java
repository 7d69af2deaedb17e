package io.kck.entity.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.kck.primer.Freshness;
import io.kck.primer.Primer;
import io.kck.primer.Propagation;
import io.kck.primer.internal.FreshnessConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one primer's keys behave: the primer's own choices, overridden by {@code
 * kck.primers."<name>".*}. Resolved and validated once, when KCK starts, so a typo or a bad value
 * fails start-up naming its path rather than the first start of a key. Immutable.
 *
 * @param computeTimeout how long one compute may run
 * @param freshness how values stay fresh
 * @param staleIfError how old a value may be and still be served after its refresh failed
 * @param propagation how a key reacts to a change of a product it read
 * @param computeOnMiss whether a get of a key without a value computes one
 * @param keepsKeysWarm whether each key joins the warm set once it has a value
 * @param maxConcurrentComputes how many computes of this primer may run at once (0: as many as
 *     the pool runs), so that one slow product cannot occupy the whole pool
 * @param retention when keys nobody wants are forgotten
 * @param nearCache whether nodes that do not own a key keep a copy of its entry they read (see
 *     {@link NearCache})
 */
public record PrimerSettings(
    Duration computeTimeout, Freshness freshness, Duration staleIfError, Propagation propagation, boolean computeOnMiss,
    boolean keepsKeysWarm, int maxConcurrentComputes, RetentionPolicy retention, boolean nearCache) {

  /**
   * The keys a {@code kck.primers."<name>"} block may set. {@code http-reads} belongs to the HTTP
   * service (which reads it from the configuration itself); it is listed, and its value checked,
   * here so that a typo in it fails start-up like any other.
   */
  /** A fresh-until time for a value whose freshness policy never ages it. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  static final Set<String> KNOWN = Set.of("compute-timeout", "freshness", "stale-if-error", "propagation",
      "compute-on-miss", "keep-warm", "http-reads", "max-concurrent-computes", "retention", "near-cache",
      "batch-size", "refresh-schedule"); // batch-size: read and checked by BatchSettings; refresh-schedule: by ScheduleSettings

  /** The values of {@code kck.primers."<name>".http-reads} (and {@code kck.http.reads}). */
  public static final Set<String> HTTP_READS = Set.of("compute", "present-only");

  /**
   * The settings of {@code primer}: its own, overridden by {@code overrides} (the primer's block
   * of {@code kck.primers}, or null when it has none); {@code defaults} fill in the rest.
   *
   * @throws IllegalArgumentException naming the path of an unknown or invalid setting
   */
  static PrimerSettings resolve(Primer<?> primer, Config overrides, Duration defaultTimeout, Duration defaultStaleIfError,
      RetentionPolicy defaultRetention) {
    String path = "kck.primers.\"" + primer.name() + "\"";
    Duration timeout = primer.computeTimeout().orElse(defaultTimeout);
    Freshness freshness = primer.freshness();
    Duration staleIfError = defaultStaleIfError;
    Propagation propagation = primer.propagation();
    boolean computeOnMiss = primer.computeOnMiss();
    boolean keepsKeysWarm = primer.keepsKeysWarm();
    int maxConcurrentComputes = 0;
    RetentionPolicy retention = defaultRetention;
    boolean nearCache = false;
    if (overrides != null) {
      for (String setting : overrides.root().keySet()) {
        if (!KNOWN.contains(setting)) {
          throw new IllegalArgumentException(path + "." + setting + " is not a setting of a primer (known: "
              + String.join(", ", new TreeSet<>(KNOWN)) + ")");
        }
      }
      try {
        if (overrides.hasPath("compute-timeout")) {
          timeout = overrides.getDuration("compute-timeout");
        }
        if (overrides.hasPath("freshness")) {
          freshness = FreshnessConfig.fromConfig(path + ".freshness", overrides.getConfig("freshness"));
        }
        if (overrides.hasPath("stale-if-error")) {
          staleIfError = overrides.getDuration("stale-if-error");
        }
        if (overrides.hasPath("propagation")) {
          String policy = overrides.getString("propagation");
          try {
            propagation = Propagation.valueOf(policy.trim().toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ".propagation must be eager or lazy, got '" + policy + "'", e);
          }
        }
        if (overrides.hasPath("compute-on-miss")) {
          computeOnMiss = overrides.getBoolean("compute-on-miss");
        }
        if (overrides.hasPath("max-concurrent-computes")) {
          maxConcurrentComputes = overrides.getInt("max-concurrent-computes");
          if (maxConcurrentComputes < 0) {
            throw new IllegalArgumentException(path + ".max-concurrent-computes must be 0 (no cap) or more, got "
                + maxConcurrentComputes);
          }
        }
        if (overrides.hasPath("retention")) {
          retention = RetentionPolicy.read(path + ".retention", overrides.getConfig("retention"), defaultRetention);
        }
        if (overrides.hasPath("near-cache")) {
          nearCache = overrides.getBoolean("near-cache");
        }
        if (overrides.hasPath("keep-warm")) {
          keepsKeysWarm = overrides.getBoolean("keep-warm");
        }
        if (overrides.hasPath("http-reads") && !HTTP_READS.contains(overrides.getString("http-reads"))) {
          throw new IllegalArgumentException(path + ".http-reads must be compute or present-only, got '"
              + overrides.getString("http-reads") + "'");
        }
      } catch (ConfigException e) {
        throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
      }
    }
    if (timeout.isNegative() || timeout.isZero()) {
      String source = overrides != null && overrides.hasPath("compute-timeout")
          ? path + ".compute-timeout" : primer + "'s computeTimeout()";
      throw new IllegalArgumentException(source + " must be positive, got " + timeout);
    }
    if (staleIfError.isNegative()) {
      throw new IllegalArgumentException(path + ".stale-if-error must not be negative, got " + staleIfError);
    }
    if (nearCache && freshness instanceof Freshness.AlwaysFresh) {
      throw new IllegalArgumentException(path + ".near-cache cannot be on: the primer's values are recomputed on"
          + " every get (always fresh), so no copy of one may answer a get");
    }
    return new PrimerSettings(timeout, freshness, staleIfError, propagation, computeOnMiss, keepsKeysWarm,
        maxConcurrentComputes, retention, nearCache);
  }

  /**
   * Until when (epoch milliseconds) a value computed at {@code computedAt} is fresh by this policy
   * alone, for a value whose actor arms no timer for it (loaded from the journal, copied by another
   * node's near cache): a max-age value until its soft age, a periodic one until its interval is
   * over (without the jitter a timer would add: sooner, never later); {@link #NO_DEADLINE} otherwise.
   */
  public long freshUntilMillis(Instant computedAt) {
    return freshUntilMillis(freshness, computedAt);
  }

  /** {@link #freshUntilMillis(Instant)} of {@code policy}. */
  public static long freshUntilMillis(Freshness policy, Instant computedAt) {
    if (policy instanceof Freshness.MaxAge maxAge) {
      return computedAt.plus(maxAge.softAge()).toEpochMilli();
    }
    if (policy instanceof Freshness.Periodic periodic) {
      return computedAt.plus(periodic.interval()).toEpochMilli();
    }
    return NO_DEADLINE;
  }
}
