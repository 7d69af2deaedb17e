package io.kck.entity.key;

import io.kck.entity.KeyCommand.AgeReached;
import io.kck.entity.KeyCommand.RefreshDue;
import io.kck.entity.KeyState;
import io.kck.entity.ValueExpiry;
import io.kck.entity.settings.PrimerSettings;
import io.kck.primer.Freshness;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A key's freshness policy at work: the timers that refresh a periodic value or age a max-age one,
 * measured from when the value was computed, and how far the current value has aged. Ages are read
 * from the node's clock (the one tests drive), and a timer only tells the key that an age may have
 * been reached; used by the key's actor only.
 *
 * <p>A value stored with freshness of its own ({@link ValueExpiry}) is timed by it instead of the
 * primer's policy: its expiry works as a hard age (gets wait for a new value), its refresh time as a
 * periodic refresh. The next value without one is timed by the policy again.
 */
final class FreshnessClock {
  private static final String REFRESH_TIMER = "refresh";
  private static final String SOFT_AGE_TIMER = "soft-age";
  private static final String HARD_AGE_TIMER = "hard-age";
  // Akka's timers take at most about 248 days: a value's own expiry or refresh further off is
  // reached by timers of this length, each checking the clock when it fires.
  static final Duration LONGEST_TIMER = Duration.ofDays(180);

  private final Freshness policy;
  private final KeyTimers timers;
  private final Clock clock;
  private final boolean joinsWarmSet;
  private final Runnable keepWarm;
  private boolean keptWarm;
  private Instant nextRefreshAt;
  private boolean softAgeReached;
  private boolean hardAgeReached;
  private ValueExpiry own; // the current value's own freshness, or null

  /**
   * {@code keepWarm}: adds the key to the warm set, which a key does with its first value when
   * {@code joinsWarmSet} (its primer opted in: {@code Primer.keepsKeysWarm}, {@code keep-warm}).
   */
  FreshnessClock(Freshness policy, KeyTimers timers, Clock clock, boolean joinsWarmSet, Runnable keepWarm) {
    this.policy = policy;
    this.joinsWarmSet = joinsWarmSet;
    this.timers = timers;
    this.clock = clock;
    this.keepWarm = keepWarm;
  }

  /**
   * A new value (computed or put): the timers start over from it, and a key whose primer opted in
   * joins the warm set, so that its refreshes go on after it passivates or its node restarts.
   * Nothing else joins by itself: a read from outside must not grow a set that is woken forever.
   */
  void newValue(KeyState state) {
    arm(state);
    if (joinsWarmSet && !keptWarm) {
      keepWarm.run();
      keptWarm = true;
    }
  }

  boolean periodic() {
    return own == null ? policy instanceof Freshness.Periodic : own.refreshAt() != null;
  }

  boolean alwaysFresh() {
    return own == null && policy instanceof Freshness.AlwaysFresh;
  }

  /** Past the soft age of a max-age policy: served, refreshed in the background. */
  boolean softAgeReached() {
    return softAgeReached;
  }

  /** Past the hard age: gets wait for a new value. */
  boolean hardAgeReached() {
    return hardAgeReached;
  }

  /** When the periodic refresh (or the retry after a failed one) is due; null when none is. */
  Instant nextRefreshAt() {
    return nextRefreshAt;
  }

  /**
   * Arms the policy's timers for {@code state}'s value, measured from when it was computed: after a
   * restart a periodic key refreshes when its interval since the last compute is over, not a whole
   * interval later, and a max-age value that aged while the key was down is stale at once.
   */
  void arm(KeyState state) {
    Instant now = clock.instant();
    timers.cancel(REFRESH_TIMER); // what the last value planned (by its own freshness or the policy) is off
    timers.cancel(SOFT_AGE_TIMER);
    timers.cancel(HARD_AGE_TIMER);
    nextRefreshAt = null;
    softAgeReached = false;
    hardAgeReached = false;
    own = state.expiry();
    if (own != null) {
      armOwn(state, now);
      return;
    }
    Duration age = Duration.between(state.computedAt(), now);
    if (policy instanceof Freshness.Periodic periodic) {
      long jitterMillis = periodic.jitter().toMillis();
      Duration due = periodic.interval().plusMillis(
          jitterMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitterMillis + 1));
      Duration delay = positive(due.minus(age));
      timers.start(REFRESH_TIMER, RefreshDue.INSTANCE, delay);
      nextRefreshAt = now.plus(delay);
    } else if (policy instanceof Freshness.MaxAge maxAge) {
      softAgeReached = !age.minus(maxAge.softAge()).isNegative();
      hardAgeReached = !age.minus(maxAge.hardAge()).isNegative();
      if (!softAgeReached) {
        timers.start(SOFT_AGE_TIMER, new AgeReached(false, state.version()), maxAge.softAge().minus(age));
      }
      if (!hardAgeReached) {
        timers.start(HARD_AGE_TIMER, new AgeReached(true, state.version()), maxAge.hardAge().minus(age));
      }
    }
  }

  /** Arms the timers of a value's own freshness: its refresh time as a periodic refresh, its expiry as a hard age. */
  private void armOwn(KeyState state, Instant now) {
    if (own.refreshAt() != null) {
      Duration delay = positive(Duration.between(now, own.refreshAt()));
      timers.start(REFRESH_TIMER, RefreshDue.INSTANCE, shortest(delay, LONGEST_TIMER));
      nextRefreshAt = now.plus(delay);
    }
    if (own.expiresAt() != null) {
      if (now.isBefore(own.expiresAt())) {
        timers.start(HARD_AGE_TIMER, new AgeReached(true, state.version()),
            shortest(Duration.between(now, own.expiresAt()), LONGEST_TIMER));
      } else {
        softAgeReached = true;
        hardAgeReached = true;
      }
    }
  }

  /**
   * Until when {@code state}'s value may be answered without asking the key, decided from the
   * policy alone (epoch milliseconds, or {@link PrimerSettings#NO_DEADLINE}): the entry of a stopped key
   * has no timer to withdraw it. A max-age value until its soft age; a periodic one until its
   * refresh is due; a value with freshness of its own until it expires or its refresh is due.
   */
  long freshUntilMillis(KeyState state) {
    if (own != null) {
      long until = own.expiresAt() == null ? PrimerSettings.NO_DEADLINE : own.expiresAt().toEpochMilli();
      return nextRefreshAt == null ? until : Math.min(until, nextRefreshAt.toEpochMilli());
    }
    if (policy instanceof Freshness.MaxAge) {
      return PrimerSettings.freshUntilMillis(policy, state.computedAt());
    }
    return periodic() && nextRefreshAt != null ? nextRefreshAt.toEpochMilli() : PrimerSettings.NO_DEADLINE;
  }

  /**
   * The refresh timer fired: whether the refresh is due (false when it only bridged part of the way
   * to a value's own refresh time further off than {@link #LONGEST_TIMER}; it is re-armed).
   */
  boolean refreshDue() {
    Instant now = clock.instant();
    if (own != null && own.refreshAt() != null && now.isBefore(own.refreshAt())) {
      timers.start(REFRESH_TIMER, RefreshDue.INSTANCE, shortest(Duration.between(now, own.refreshAt()), LONGEST_TIMER));
      return false;
    }
    nextRefreshAt = null;
    return true;
  }

  /** An age timer fired; it counts only for the version it was armed for, and a value's own expiry only once reached. */
  void ageReached(AgeReached reached, long currentVersion) {
    Instant now = clock.instant();
    if (reached.version() == currentVersion && own != null && own.expiresAt() != null
        && now.isBefore(own.expiresAt())) {
      timers.start(HARD_AGE_TIMER, reached, shortest(Duration.between(now, own.expiresAt()), LONGEST_TIMER));
    } else if (reached.version() == currentVersion) {
      softAgeReached = true;
      hardAgeReached |= reached.hard();
    }
  }

  /** A periodic refresh failed: retry when the backoff ends rather than a whole interval later. */
  void retryAfter(Duration backoff, Instant retryAt) {
    if (periodic()) {
      timers.start(REFRESH_TIMER, RefreshDue.INSTANCE, backoff);
      nextRefreshAt = retryAt;
    }
  }

  /** The key stops or restarts (its timers are cancelled with the others). */
  void reset() {
    own = null;
    nextRefreshAt = null;
    softAgeReached = false;
    hardAgeReached = false;
  }

  private static Duration shortest(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration positive(Duration delay) {
    return delay.isNegative() ? Duration.ZERO : delay;
  }
}
