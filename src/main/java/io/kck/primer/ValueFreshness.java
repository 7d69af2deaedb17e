package io.kck.primer;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How long one value stays fresh, when the value knows better than its primer: an upstream HTTP
 * response's {@code Cache-Control: max-age}, a report valid until midnight. A compute states it with
 * {@link ComputeContext#valueFreshness}; it then applies to that value instead of the primer's
 * {@link Freshness}, and the next value stored without one falls back to the primer's. It is
 * journaled with the value, so it holds across passivation and restarts.
 *
 * <ul>
 *   <li>{@link #expiresAt(Instant)}, {@link #maxAge(Duration)}: the value is served as it is until
 *       then; past it a get waits for a new value (computed by the first get that needs it).
 *   <li>{@link #refreshAt(Instant)}, {@link #refreshAfter(Duration)}: at that time the key recomputes
 *       by itself, whether or not anybody asks, and serves the value until the new one is stored.
 * </ul>
 *
 * <p>A relative time ({@code maxAge}, {@code refreshAfter}) counts from when the value is stored (its
 * {@code computedAt}), on the node's clock. An instant already past is allowed: the value answers the
 * gets that waited for it, and the next get computes anew. Immutable; the factories throw {@code
 * NullPointerException} for a null argument and {@code IllegalArgumentException} for a duration that
 * is not positive.
 */
public final class ValueFreshness {
  // Not a record: a value is one of four kinds, which only the factories make. A record would add to
  // the API a public constructor taking all four parts (each call then checked for exactly one, the
  // duration positive) and four accessors of which three answer null, for what expiryFor and
  // refreshFor already answer.

  private final Instant expiresAt;
  private final Duration maxAge;
  private final Instant refreshAt;
  private final Duration refreshAfter;

  private ValueFreshness(Instant expiresAt, Duration maxAge, Instant refreshAt, Duration refreshAfter) {
    this.expiresAt = expiresAt;
    this.maxAge = maxAge;
    this.refreshAt = refreshAt;
    this.refreshAfter = refreshAfter;
  }

  /** The value expires at {@code instant}: past it, gets wait for a new value. */
  public static ValueFreshness expiresAt(Instant instant) {
    return new ValueFreshness(Objects.requireNonNull(instant, "instant"), null, null, null);
  }

  /** The value expires {@code age} after it is stored: past it, gets wait for a new value. */
  public static ValueFreshness maxAge(Duration age) {
    return new ValueFreshness(null, positive("max age", age), null, null);
  }

  /** The key recomputes the value by itself at {@code instant}, serving it until the new one is stored. */
  public static ValueFreshness refreshAt(Instant instant) {
    return new ValueFreshness(null, null, Objects.requireNonNull(instant, "instant"), null);
  }

  /** The key recomputes the value by itself {@code delay} after it is stored, serving it until then. */
  public static ValueFreshness refreshAfter(Duration delay) {
    return new ValueFreshness(null, null, null, positive("refresh delay", delay));
  }

  /** When a value stored at {@code storedAt} expires by this freshness, or null when it does not expire. */
  public @Nullable Instant expiryFor(Instant storedAt) {
    Objects.requireNonNull(storedAt, "storedAt");
    return maxAge != null ? storedAt.plus(maxAge) : expiresAt;
  }

  /** When the key recomputes a value stored at {@code storedAt} by this freshness, or null when it does not. */
  public @Nullable Instant refreshFor(Instant storedAt) {
    Objects.requireNonNull(storedAt, "storedAt");
    return refreshAfter != null ? storedAt.plus(refreshAfter) : refreshAt;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ValueFreshness that && Objects.equals(expiresAt, that.expiresAt)
        && Objects.equals(maxAge, that.maxAge) && Objects.equals(refreshAt, that.refreshAt)
        && Objects.equals(refreshAfter, that.refreshAfter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(expiresAt, maxAge, refreshAt, refreshAfter);
  }

  /** For example {@code expires-at 2026-12-08T00:00:00Z} or {@code max-age 60s}. */
  @Override
  public String toString() {
    if (expiresAt != null) {
      return "expires-at " + expiresAt;
    } else if (maxAge != null) {
      return "max-age " + maxAge.toString().substring(2).toLowerCase(Locale.ROOT);
    } else if (refreshAt != null) {
      return "refresh-at " + refreshAt;
    }
    return "refresh-after " + refreshAfter.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private static Duration positive(String what, Duration duration) {
    Objects.requireNonNull(duration, what);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("A value's " + what + " must be positive, got " + duration);
    }
    return duration;
  }
}
