package io.kck.primer;

import java.time.Duration;
import java.util.Objects;

/**
 * How a primer's values stay fresh. A primer declares it by overriding {@link Primer#freshness()};
 * HOCON overrides it by primer name under {@code kck.primers."<name>".freshness} (see {@code
 * reference.conf}).
 *
 * <ul>
 *   <li>{@link NeverExpires} (the default): computed once, kept until refreshed, invalidated or
 *       put.
 *   <li>{@link Periodic}: recomputed every interval by the key's own timer, whether or not anybody
 *       asks; keys that have a value keep refreshing after passivation and restarts.
 *   <li>{@link MaxAge}: past {@code softAge} a get returns the current value at once and starts one
 *       background refresh (stale-while-revalidate); past {@code hardAge} a get waits for the new
 *       value.
 *   <li>{@link AlwaysFresh}: every get is answered with a value whose compute started after the
 *       get arrived; gets that arrive together share one compute.
 * </ul>
 *
 * <p>Each policy's {@code toString} names it and its durations as its HOCON settings do, e.g.
 * {@code never-expires} or {@code periodic (interval = 5m, jitter = 30s)}: logs and the HTTP
 * service's {@code /api/primers} show it.
 *
 * <p>Immutable.
 */
public sealed interface Freshness {

  /** Computed once; the value stays until it is refreshed, invalidated, put or its inputs change. */
  static Freshness neverExpires() {
    return NeverExpires.INSTANCE;
  }

  /** Recompute every {@code interval}. */
  static Freshness periodic(Duration interval) {
    return new Periodic(interval, Duration.ZERO);
  }

  /**
   * Recompute every {@code interval} plus a random delay up to {@code jitter}, drawn anew each
   * time, so that many keys of one primer do not all fire at once.
   */
  static Freshness periodic(Duration interval, Duration jitter) {
    return new Periodic(interval, jitter);
  }

  /** Serve values up to {@code softAge} as fresh; stale ones up to {@code hardAge} while refreshing. */
  static Freshness maxAge(Duration softAge, Duration hardAge) {
    return new MaxAge(softAge, hardAge);
  }

  /** Every get waits for a compute that started after it arrived; concurrent gets share one. */
  static Freshness alwaysFresh() {
    return AlwaysFresh.INSTANCE;
  }

  /** The default policy. */
  enum NeverExpires implements Freshness {
    /** The one instance. */
    INSTANCE;

    /** {@code never-expires}, the HOCON policy's name. */
    @Override
    public String toString() {
      return "never-expires";
    }
  }

  /** Every get waits for a compute that started after it arrived. */
  enum AlwaysFresh implements Freshness {
    /** The one instance. */
    INSTANCE;

    /** {@code always-fresh}, the HOCON policy's name. */
    @Override
    public String toString() {
      return "always-fresh";
    }
  }

  /**
   * Recompute every {@code interval} (plus up to {@code jitter}), whether or not anybody asks.
   *
   * <p>Its constructor throws {@code IllegalArgumentException} if the interval is not positive or
   * the jitter negative.
   *
   * @param interval how often
   * @param jitter the most a refresh is delayed, at random, beyond the interval
   */
  record Periodic(Duration interval, Duration jitter) implements Freshness {
    /** Checks the durations. */
    public Periodic {
      requirePositive("interval", interval);
      Objects.requireNonNull(jitter, "jitter");
      if (jitter.isNegative()) {
        throw new IllegalArgumentException("Periodic freshness needs a jitter >= 0, got " + jitter);
      }
    }

    /** For example {@code periodic (interval = 5m, jitter = 30s)}: HOCON's names and units. */
    @Override
    public String toString() {
      return "periodic (interval = " + hocon(interval) + ", jitter = " + hocon(jitter) + ")";
    }
  }

  /**
   * Fresh up to {@code softAge}; served stale while refreshing up to {@code hardAge}; past it gets
   * wait for the new value.
   *
   * <p>Its constructor throws {@code IllegalArgumentException} if an age is not positive or the hard
   * age is below the soft.
   *
   * @param softAge up to this age a value is fresh
   * @param hardAge past this age a get waits for a new value
   */
  record MaxAge(Duration softAge, Duration hardAge) implements Freshness {
    /** Checks the durations. */
    public MaxAge {
      requirePositive("soft age (parameter 'softAge')", softAge);
      requirePositive("hard age (parameter 'hardAge')", hardAge);
      if (hardAge.compareTo(softAge) < 0) {
        throw new IllegalArgumentException(
            "Max-age freshness needs hard age >= soft age, got soft " + softAge + ", hard " + hardAge);
      }
    }

    /** For example {@code max-age (soft-age = 1m, hard-age = 10m)}: HOCON's names and units. */
    @Override
    public String toString() {
      return "max-age (soft-age = " + hocon(softAge) + ", hard-age = " + hocon(hardAge) + ")";
    }
  }

  /**
   * {@code duration} as HOCON writes it, in the largest unit that holds it exactly: {@code 10m},
   * {@code 90s}, {@code 1500ms}, {@code 0s}.
   */
  private static String hocon(Duration duration) {
    long nanos;
    try {
      nanos = duration.toNanos();
    } catch (ArithmeticException tooLong) { // past ~292 years: days are exact enough
      return duration.toDays() + "d";
    }
    if (nanos == 0) {
      return "0s";
    }
    long[] sizes = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L, 1L};
    String[] units = {"d", "h", "m", "s", "ms", "us", "ns"};
    for (int i = 0; i < sizes.length; i++) {
      if (nanos % sizes[i] == 0) {
        return nanos / sizes[i] + units[i];
      }
    }
    throw new AssertionError(duration); // every count of nanoseconds divides by 1
  }

  private static void requirePositive(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("Freshness needs a positive " + what + ", got " + value);
    }
  }
}
