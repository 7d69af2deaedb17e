package io.kck.entity;

import io.kck.persistence.KckSerializable;
import io.kck.primer.ValueFreshness;
import java.time.Instant;

/**
 * The freshness a value was stored with, its own rather than its primer's (a compute or a put said
 * so: {@code io.kck.primer.ValueFreshness}), as instants resolved when the value was stored.
 * Journaled with the value ({@link KeyEvent.ValueStored}, {@link KeyEvent.ValueConfirmed}) and kept
 * in the key's state; absent (null) in every event and snapshot of a value without it, those of
 * earlier releases included. Immutable.
 *
 * @param expiresAt past it the value is not served: a get waits for a new value; null when the value
 *     does not expire by itself
 * @param refreshAt when the key recomputes the value by itself (served until the new one is stored);
 *     null when it does not
 */
public record ValueExpiry(Instant expiresAt, Instant refreshAt) implements KckSerializable {

  /** {@code freshness} resolved for a value stored at {@code storedAt}; null for a value without one. */
  public static ValueExpiry of(ValueFreshness freshness, Instant storedAt) {
    return freshness == null ? null : new ValueExpiry(freshness.expiryFor(storedAt), freshness.refreshFor(storedAt));
  }

  /** Until when (epoch milliseconds) the value may be answered without asking its key; {@code Long.MAX_VALUE}: no end. */
  public long freshUntilMillis() {
    long until = Long.MAX_VALUE;
    if (expiresAt != null) {
      until = expiresAt.toEpochMilli();
    }
    if (refreshAt != null) {
      until = Math.min(until, refreshAt.toEpochMilli());
    }
    return until;
  }
}
