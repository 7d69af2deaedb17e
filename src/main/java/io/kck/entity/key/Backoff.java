package io.kck.entity.key;

import io.kck.entity.Problem;
import io.kck.entity.settings.EntitySettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The wait after failed computes of one key: how many failed in a row, the last failure, and until
 * when gets of a key without a value fail at once instead of computing. The wait doubles (by
 * {@code kck.compute.backoff-factor}) per failure in a row, within the configured bounds; a
 * success or an invalidation ends it. Used by the key's actor only.
 */
final class Backoff {
  private final EntitySettings settings;
  private final Clock clock;
  private int failuresInARow;
  private Problem lastFailure;
  private Instant retryAt;

  Backoff(EntitySettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** A compute failed: returns how long to back off. */
  Duration failed(Problem problem) {
    failuresInARow++;
    lastFailure = problem;
    Duration wait = settings.backoffAfter(failuresInARow);
    retryAt = clock.instant().plus(wait);
    return wait;
  }

  /** The wait is over (its timer fired): the next get may compute again. */
  void over() {
    retryAt = null;
  }

  /** A compute succeeded, or the key was invalidated or put: no failure stands any more. */
  void clear() {
    failuresInARow = 0;
    lastFailure = null;
    retryAt = null;
  }

  /** Whether gets must fail at once now rather than compute. */
  boolean active() {
    return retryAt != null && clock.instant().isBefore(retryAt);
  }

  /** The last failure since the last success, or null. */
  Problem lastFailure() {
    return lastFailure;
  }

  int failuresInARow() {
    return failuresInARow;
  }

  /** Until when it backs off, or null. */
  Instant retryAt() {
    return retryAt;
  }

  /** What a get that must not compute yet is told. */
  Problem refusal(String key) {
    return lastFailure.withMessage(
        "Key '" + key + "' is backing off after " + failuresInARow + " failed compute(s) in a row;"
            + " the next get computes again after " + retryAt + ". Last failure: " + lastFailure.message());
  }

  void reset() {
    clear();
  }
}
