package io.kck.entity.key;

import io.kck.entity.KeyCommand;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyState;
import io.kck.entity.Lineage;
import io.kck.entity.Problem;
import io.kck.errors.KckException;
import io.kck.persistence.StoredValue;
import io.kck.persistence.ValueCodec;
import io.kck.primer.Augment;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.internal.Augments;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One key's augment: its primer's delta function and codecs, the checks a delta must pass before
 * it is journaled, the delta a key derives from an input's delta, and the bookkeeping of journaled
 * deltas (the value a delta being written makes, and the delta bytes since the last snapshot). Used
 * by the key's actor only.
 */
final class Deltas {

  /**
   * A delta about to be journaled: the event, the delta itself, and the value it makes; or, for a
   * delta that must not be applied, only why ({@code refused}).
   */
  record Planned(KeyEvent.DeltaApplied event, Object delta, StoredValue next, Problem refused) {
    Planned(KeyEvent.DeltaApplied event, Object delta, StoredValue next) {
      this(event, delta, next, null);
    }

    static Planned refused(Problem why) {
      return new Planned(null, null, null, why);
    }
  }

  private final Key<?> key;
  private final Primer<?> primer;
  private final Augment<Object, Object> augment; // null: the primer declares none
  private final ValueCodec values;
  private final ValueCodec deltas;
  private final KeyRuntime runtime;
  private final Clock clock;
  private KeyEvent.DeltaApplied prepared;
  private StoredValue preparedValue;
  // The JSON length of measuredValue's value as last measured, plus the deltas' JSON since: what
  // bounded() takes for the value's length until it passes 7/8 of kck.max-value-bytes.
  private StoredValue measuredValue;
  private long estimatedBytes;
  private int setAside;
  private String lastSetAside;

  private static final Logger log = LoggerFactory.getLogger(Deltas.class);

  @SuppressWarnings("unchecked")
  Deltas(Key<?> key, KeyRuntime runtime) {
    this.key = key;
    this.primer = key.primer();
    this.augment = (Augment<Object, Object>) (Augment<?, ?>) primer.augment().orElse(null);
    this.values = runtime.codec(primer);
    this.deltas = runtime.deltaCodec(primer);
    this.runtime = runtime;
    this.clock = runtime.clock();
  }

  /** Whether the primer declares augment. */
  boolean supported() {
    return augment != null;
  }

  /** The delta an augment asks for, applied to {@code state}'s value; or why it is refused. */
  Planned plan(KeyState state, KeyCommand.Augment augment, long version) {
    Problem refused = refusal(state, augment.expectedVersion());
    if (refused != null) {
      return Planned.refused(refused);
    }
    try {
      Object decoded = augment.delta().value(deltas);
      StoredValue next = bounded(state, decoded, augment.delta());
      return new Planned(new KeyEvent.DeltaApplied(version, clock.instant(), augment.delta(),
          state.inputs(), state.lineage()), decoded, next);
    } catch (ValueCodec.TooLarge e) {
      return Planned.refused(Problem.of(KckException.Kind.INVALID_VALUE, "Cannot augment key '" + key
          + "': its value with the delta would be " + runtime.settings().tooLarge(e.length()) + ". Nothing was applied",
          null));
    } catch (RuntimeException e) {
      return Planned.refused(Problem.of(KckException.Kind.INVALID_VALUE,
          "Cannot augment key '" + key + "': the delta was rejected: " + e + ". Nothing was applied", e));
    }
  }

  private Problem refusal(KeyState state, OptionalLong expectedVersion) {
    if (!supported()) {
      return Problem.of(KckException.Kind.INVALID_VALUE,
          "Cannot augment key '" + key + "': " + primer + " declares no augment()", null);
    }
    if (!state.hasValue()) {
      return Problem.of(KckException.Kind.NOTHING_TO_AUGMENT, "Cannot augment key '" + key + "': it has no value ("
          + state.status().name().toLowerCase(Locale.ROOT) + "); get or put it first. Nothing was applied", null);
    }
    return ExpectedVersion.conflict(key, "augment", "applied", state, expectedVersion);
  }

  /**
   * An input changed by a delta, and {@code state} has seen exactly the version before it: the
   * delta of this key's own when its primer follows that input's deltas, otherwise empty (the key
   * then reacts by its propagation policy, as it does when the functions reject the delta).
   */
  Optional<Planned> follow(KeyState state, KeyCommand.InputChanged changed, long version) {
    try {
      return derive(state, changed, version);
    } catch (RuntimeException e) {
      log.warn("Key '{}' could not follow the delta of '{}'; it reacts as to any update: {}", key, changed.input(), e.toString());
      return Optional.empty();
    }
  }

  private Optional<Planned> derive(KeyState state, KeyCommand.InputChanged changed, long version) {
    KeyCommand.InputDelta inputDelta = changed.delta();
    if (inputDelta == null || !supported() || !state.hasValue() || state.outdated()
        || !Long.valueOf(inputDelta.base()).equals(state.inputs().get(changed.input()))) {
      return Optional.empty();
    }
    Key<?> input = runtime.primers().parse(changed.input());
    ValueCodec inputDeltas = runtime.deltaCodec(input.primer());
    if (inputDeltas == null) {
      return Optional.empty();
    }
    Optional<Object> own = Augments.deltaFor(augment, key, input, inputDelta.delta().value(inputDeltas));
    if (own.isEmpty()) {
      return Optional.empty();
    }
    Augments.check(augment, own.get()); // a delta of its own passes the primer's check like any other
    StoredValue ownDelta = StoredValue.of(own.get(), deltas);
    StoredValue next = bounded(state, own.get(), ownDelta); // one too large fails: the key then recomputes, and says why
    Map<String, Long> inputs = new HashMap<>(state.inputs());
    inputs.put(changed.input(), changed.version());
    KeyEvent.DeltaApplied event = new KeyEvent.DeltaApplied(version, clock.instant(), ownDelta,
        inputs, Lineage.merged(state.lineage(), changed.cause()));
    return Optional.of(new Planned(event, own.get(), next));
  }

  /** Deltas applied while a recompute ran, applied again on its result. */
  StoredValue reapply(StoredValue computed, List<Object> appliedMeanwhile) {
    Object value = computed.value(values);
    for (Object delta : appliedMeanwhile) {
      value = applyTo(value, delta);
    }
    return StoredValue.of(value, values);
  }

  /** {@code planned} is about to be journaled: the event handler takes its value instead of applying it again. */
  void prepare(Planned planned) {
    prepared = planned.event();
    preparedValue = planned.next();
  }

  /**
   * The event handler's part: the prepared value, or on replay the delta applied again. A delta
   * that cannot be applied on replay (the augment function, or the delta type, changed since it
   * was journaled) is set aside: logged, counted, and skipped, so that the key loads with the
   * others rather than never loading again. Its version still counts: versions never go back.
   */
  KeyState applyEvent(KeyState state, KeyEvent.DeltaApplied applied) {
    StoredValue next;
    if (applied == prepared) {
      next = preparedValue;
    } else {
      try {
        if (augment == null || !state.hasValue()) {
          throw new IllegalStateException(augment == null ? primer + " no longer declares augment()" : "it has no value");
        }
        next = apply(state, applied.delta().value(deltas));
      } catch (RuntimeException e) {
        setAside++;
        lastSetAside = "the delta of version " + applied.version() + " was set aside when the key loaded: " + e;
        log.warn("Key '{}': {}", key, lastSetAside);
        next = state.value();
      }
    }
    prepared = null;
    preparedValue = null;
    return state.withDelta(applied, next);
  }

  /** How many journaled deltas were set aside when the key loaded. */
  int setAside() {
    return setAside;
  }

  /** What the last one was, or null. */
  String lastSetAside() {
    return lastSetAside;
  }

  /** The key stops or restarts: nothing is being written any more; it will load (and count) again. */
  void reset() {
    prepared = null;
    preparedValue = null;
    measuredValue = null;
    setAside = 0;
    lastSetAside = null;
  }

  /**
   * {@code delta} applied to {@code state}'s value, within {@code kck.max-value-bytes}: what a new
   * delta may make. (Replay applies journaled deltas unchecked.)
   *
   * <p>Only an encoding tells how long the new value's JSON is, and encoding a large value costs far
   * more than the augment that made it (the point of an augment is not to touch the whole value:
   * 10 ms to encode a million numbers, against 0.3 ms for the delta). So the value is encoded, and
   * measured, only once its estimated length passes 7/8 of the limit: the estimate is its JSON's
   * length when it was last encoded (by a compute, a put, a snapshot, or here) plus the JSON of
   * every delta since, an upper bound for a function whose result grows by no more than its delta
   * (appending, adding, merging). One that grows by more can take a value past the limit until the
   * value is next encoded (its next snapshot), which measures it again. Below that, the value is
   * encoded when something needs its JSON (a snapshot, a reply to another node).
   *
   * @throws ValueCodec.TooLarge when the value would be larger
   */
  private StoredValue bounded(KeyState state, Object delta, StoredValue encodedDelta) {
    Object next = applyTo(state.value().value(values), delta);
    long limit = runtime.settings().maxValueBytes();
    int encoded = state.value().encodedLength();
    long known = encoded >= 0 ? encoded : state.value() == measuredValue ? estimatedBytes : -1;
    long estimate = known < 0 ? -1 : known + encodedDelta.json().length; // the delta is journaled: encoded anyway
    StoredValue made;
    if (estimate >= 0 && estimate <= limit - limit / 8) {
      made = StoredValue.of(next, values);
    } else {
      byte[] json = values.encode(next, limit);
      made = StoredValue.encoded(next, json);
      estimate = json.length;
    }
    measuredValue = made;
    estimatedBytes = estimate;
    return made;
  }

  private StoredValue apply(KeyState state, Object delta) {
    return StoredValue.of(applyTo(state.value().value(values), delta), values);
  }

  private Object applyTo(Object value, Object delta) {
    Object next = Augments.apply(augment, value, delta);
    if (next == null) {
      throw new NullPointerException(primer + "'s augment function returned null");
    }
    if (!values.type().getRawClass().isInstance(next)) {
      throw new ClassCastException(primer + "'s augment function returned a " + next.getClass().getName());
    }
    return next;
  }
}
