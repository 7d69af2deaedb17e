package io.kck.entity.key;

import io.kck.entity.EntryData;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.settings.PrimerSettings;
import java.time.Instant;

/**
 * What a key answers: its entry for the current state, with the transient facts around it
 * (refreshing, the last error, the next attempt). The common answer (fresh, nothing running,
 * nothing scheduled) is built once per state, so a hit allocates nothing. Used by the key's actor
 * only.
 */
final class Replies {
  private final String key;
  private final Attempts attempts;
  private final Backoff backoff;
  private final FreshnessClock freshness;
  private KeyState cachedFor;
  private KeyReply.Ok cached;

  Replies(String key, Attempts attempts, Backoff backoff, FreshnessClock freshness) {
    this.key = key;
    this.attempts = attempts;
    this.backoff = backoff;
    this.freshness = freshness;
  }

  /**
   * Whether a get may be answered from {@code state}'s value at once, with nothing to wait for and
   * nothing to learn: it has a value that no input outdated, its freshness policy does not ask for
   * a newer one, and no failed compute is pending. The one test of it: single flight answers such a
   * get at once, and the read tier publishes only such an entry.
   */
  boolean answersAtOnce(KeyState state) {
    return state.hasValue() && !state.outdated() && !freshness.alwaysFresh() && !freshness.softAgeReached()
        && !freshness.hardAgeReached() && backoff.lastFailure() == null && backoff.retryAt() == null;
  }

  /** The answer for {@code state}; {@code stale}: served past its freshness (or it is outdated). */
  KeyReply.Ok entry(KeyState state, boolean stale) {
    boolean refreshing = attempts.running() != null;
    String error = backoff.lastFailure() == null ? null : backoff.lastFailure().message();
    Instant next = backoff.retryAt() != null ? backoff.retryAt() : freshness.nextRefreshAt();
    stale |= state.outdated();
    if (stale || refreshing || error != null || next != null) {
      return new KeyReply.Ok(new EntryData(key, state.value(), state.version(), state.computedAt(),
          stale, refreshing, error, next, state.lineage(), freshUntil(state)));
    }
    if (state != cachedFor) {
      cached = new KeyReply.Ok(new EntryData(key, state.value(), state.version(), state.computedAt(),
          false, false, null, null, state.lineage(), freshUntil(state)));
      cachedFor = state;
    }
    return cached;
  }

  /** Until when the value is fresh (its own freshness, or its primer's policy), or null when nothing ages it. */
  private Instant freshUntil(KeyState state) {
    long until = state.hasValue() ? freshness.freshUntilMillis(state) : PrimerSettings.NO_DEADLINE;
    return until == PrimerSettings.NO_DEADLINE ? null : Instant.ofEpochMilli(until);
  }

  void reset() {
    cachedFor = null;
    cached = null;
  }
}
