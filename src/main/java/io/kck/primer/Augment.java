package io.kck.primer;

import com.fasterxml.jackson.core.type.TypeReference;
import java.lang.reflect.Type;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How a primer's values are updated in place by small deltas instead of being recomputed: the
 * delta type (stored with Jackson, like values) and a pure function from (current value, delta) to
 * the new value. Declared by {@link Primer#augment()}.
 *
 * <pre>{@code
 * @Override
 * public Optional<Augment<RegisterDay, ?>> augment() {
 *   return Optional.of(Augment.of(Sale.class, RegisterDay::plus));
 * }
 * }</pre>
 *
 * <p><b>The function</b> runs on the key's actor, once per delta when it is applied and again for
 * every journaled delta when the key replays its journal after a restart: it must be fast, must
 * not block, must not modify the current value (other callers share it: return a new one), and
 * must give the same result for the same inputs, also in later versions of your code. A function
 * that throws rejects the delta ({@link io.kck.errors.InvalidValueException}); nothing is applied.
 *
 * <p><b>From upstream deltas.</b> A product that reads an augmented product can often follow its
 * deltas too: {@link #fromUpstream} turns an input's delta into one of its own (the store total
 * adds the register's new sale instead of re-reading every register). When it returns empty, or
 * when the key cannot apply it safely (it has not seen the input's previous version), the key
 * reacts by its {@link Propagation} as for any other update.
 *
 * <p>Immutable and thread-safe (its functions must be too: keys of one primer apply them at once).
 *
 * @param <V> the primer's value type
 * @param <D> the delta type
 */
public final class Augment<V, D> {
  /** Turns an input's delta into this product's own delta. */
  @FunctionalInterface
  public interface UpstreamDeltas<D> {
    /**
     * @param self this product's key
     * @param input the key of the input that was augmented
     * @param inputDelta the input's delta, as its primer's delta type
     * @return this product's delta for it, or empty to react by propagation policy instead
     */
    Optional<D> deltaFor(Key<?> self, Key<?> input, Object inputDelta);
  }

  private final Type deltaType;
  private final BiFunction<V, D, V> apply;
  private final @Nullable UpstreamDeltas<D> upstream;
  private final Consumer<? super D> check;

  private Augment(Type deltaType, BiFunction<V, D, V> apply, @Nullable UpstreamDeltas<D> upstream,
      Consumer<? super D> check) {
    this.deltaType = Objects.requireNonNull(deltaType, "deltaType");
    this.apply = Objects.requireNonNull(apply, "apply");
    this.upstream = upstream;
    this.check = Objects.requireNonNull(check, "check");
  }

  /** Deltas of {@code deltaType}, applied by {@code apply}. */
  public static <V, D> Augment<V, D> of(Class<D> deltaType, BiFunction<V, D, V> apply) {
    return new Augment<>(deltaType, apply, null, delta -> {});
  }

  /** For generic delta types: {@code Augment.of(new TypeReference<List<Sale>>() {}, ...)}. */
  public static <V, D> Augment<V, D> of(
      TypeReference<D> deltaType, BiFunction<V, D, V> apply) {
    return new Augment<>(Objects.requireNonNull(deltaType, "deltaType").getType(), apply, null, delta -> {});
  }

  /** The same, also following the deltas of the products it reads; see the class comment. */
  public Augment<V, D> fromUpstream(UpstreamDeltas<D> translate) {
    return new Augment<>(deltaType, apply, Objects.requireNonNull(translate, "translate"), check);
  }

  /**
   * The same, with a check every delta must pass before it is journaled: {@code check} throws
   * (an {@link IllegalArgumentException}, say) to refuse it, and the augment fails with {@link
   * io.kck.errors.InvalidValueException} carrying its message; nothing is applied. Without one,
   * a delta is still refused when a property of its constructor (a record's component) is missing
   * or null. Keep it cheap and free of side effects: it runs for every delta.
   */
  public Augment<V, D> validatedBy(Consumer<? super D> check) {
    return new Augment<>(deltaType, apply, upstream, Objects.requireNonNull(check, "check"));
  }

  /** The type of the deltas, as journaled and decoded. */
  public Type deltaType() {
    return deltaType;
  }

  // The engine's side: package-private, reached by io.kck.primer.internal.Augments.

  /**
   * Runs the check of {@link #validatedBy} on {@code delta} (already checked to be a {@code D}).
   *
   * @throws RuntimeException whatever the check throws to refuse it
   */
  @SuppressWarnings("unchecked")
  void check(Object delta) {
    check.accept((D) delta);
  }

  /** Applies {@code delta} (already checked to be a {@code D}) to {@code value}. */
  @SuppressWarnings("unchecked")
  V apply(Object value, Object delta) {
    return apply.apply((V) value, (D) delta);
  }

  /** This product's delta for an input's delta, when it declared {@link #fromUpstream}. */
  Optional<Object> deltaFor(Key<?> self, Key<?> input, Object inputDelta) {
    return upstream == null ? Optional.empty() : upstream.deltaFor(self, input, inputDelta).map(d -> d);
  }
}
