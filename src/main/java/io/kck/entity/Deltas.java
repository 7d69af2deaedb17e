package io.kck.entity;

import io.kck.persistence.StoredValue;
import io.kck.persistence.ValueCodec;
import io.kck.primer.Augment;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import java.util.List;
import java.util.Optional;

/**
 * One key's augment: its primer's delta function and codec, and the bookkeeping of journaled
 * deltas (the value a delta being written makes, and the delta bytes since the last snapshot).
 * Used by the key's actor only.
 */
final class Deltas {
  private final Key<?> key;
  private final Primer<?> primer;
  private final Augment<Object, Object> augment; // null: the primer declares none
  private final ValueCodec values;
  private final ValueCodec deltas;
  private KeyEvent.DeltaApplied prepared;
  private StoredValue preparedValue;
  private long bytesSinceSnapshot;

  @SuppressWarnings("unchecked")
  Deltas(Key<?> key, ValueCodec values, ValueCodec deltas) {
    this.key = key;
    this.primer = key.primer();
    this.augment = (Augment<Object, Object>) (Augment<?, ?>) primer.augment().orElse(null);
    this.values = values;
    this.deltas = deltas;
  }

  /** Whether the primer declares augment. */
  boolean supported() {
    return augment != null;
  }

  /** A delta as its object (decoded on first need). */
  Object decode(StoredValue delta) {
    return delta.value(deltas);
  }

  /** A delta object as journaled. */
  StoredValue encode(Object delta) {
    return StoredValue.of(delta, deltas);
  }

  /**
   * The value {@code delta} makes of {@code state}'s.
   *
   * @throws RuntimeException when the function throws, returns null or a value of another type
   */
  StoredValue apply(KeyState state, Object delta) {
    return StoredValue.of(applyTo(state.value().value(values), delta), values);
  }

  /** Deltas applied while a recompute ran, applied again on its result. */
  StoredValue reapply(StoredValue computed, List<Object> appliedMeanwhile) {
    Object value = computed.value(values);
    for (Object delta : appliedMeanwhile) {
      value = applyTo(value, delta);
    }
    return StoredValue.of(value, values);
  }

  /** What this key's delta is for an input's delta, if its primer follows that input's deltas. */
  Optional<Object> deltaFor(Key<?> input, Object inputDelta) {
    return augment == null ? Optional.empty() : augment.deltaFor(key, input, inputDelta);
  }

  /** {@code applied} is about to be journaled and makes {@code next}: the event handler takes it. */
  void prepare(KeyEvent.DeltaApplied applied, StoredValue next) {
    prepared = applied;
    preparedValue = next;
  }

  /** The event handler's part: the prepared value, or on replay the delta applied again. */
  KeyState applyEvent(KeyState state, KeyEvent.DeltaApplied applied) {
    StoredValue next;
    if (applied == prepared) {
      next = preparedValue;
    } else {
      if (augment == null || !state.hasValue()) {
        throw new IllegalStateException("Key '" + key + "' cannot replay a delta: "
            + (augment == null ? primer + " no longer declares augment()" : "it has no value"));
      }
      next = apply(state, decode(applied.delta()));
    }
    prepared = null;
    preparedValue = null;
    bytesSinceSnapshot += applied.delta().json().length;
    return state.withDelta(applied, next);
  }

  /** Whether the deltas since the last snapshot passed {@code budget}; a yes restarts the count. */
  boolean snapshotDue(long budget, boolean snapshotAnyway) {
    if (snapshotAnyway || bytesSinceSnapshot >= budget) {
      bytesSinceSnapshot = 0;
      return augment != null;
    }
    return false;
  }

  /** The key stops or restarts: nothing is being written any more. */
  void reset() {
    prepared = null;
    preparedValue = null;
  }

  private Object applyTo(Object value, Object delta) {
    Object next = augment.apply(value, delta);
    if (next == null) {
      throw new NullPointerException(primer + "'s augment function returned null");
    }
    if (!values.type().getRawClass().isInstance(next)) {
      throw new ClassCastException(primer + "'s augment function returned a " + next.getClass().getName());
    }
    return next;
  }
}
