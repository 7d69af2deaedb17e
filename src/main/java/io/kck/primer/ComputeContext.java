package io.kck.primer;

import java.util.Optional;

/**
 * What a compute may know besides its key, and how it reads other data products. Valid only during
 * the {@link Primer#compute} call it was given to; use it from that call's thread only.
 *
 * <p><b>Tracked reads.</b> {@link #get(Key)} and its variants answer another product's value and
 * record an edge: when that product gets a new version, this key hears of it and reacts by its
 * {@link Propagation}. The edges of a key are exactly the products its last successful compute
 * read (plus {@link Primer#dependsOn()}); a recompute that reads other keys moves them.
 *
 * <p><b>Consistency.</b> Every read of one compute sees the same version of every product they
 * share upstream: in a diamond (B and C read A, D reads B and C) D never combines a B made from
 * one version of A with a C made from another. A read waits while the product is being brought up
 * to date (computed when missing, recomputed when outdated); that wait does not hold a compute
 * thread hostage, so chains deeper than the compute pool complete.
 *
 * <p><b>Failures.</b> A read throws (and the compute, unless it catches, fails with it) the
 * {@link io.kck.errors.KckException} the facade would give for that key: {@link
 * io.kck.errors.ComputeFailedException} when the product's compute failed, {@link
 * io.kck.errors.DependencyCycleException} when the product (directly or through others) reads the key
 * being computed, {@link io.kck.errors.InvalidKeyException} for a bad key.
 *
 * @param <V> the primer's value type
 */
public interface ComputeContext<V> {

  /**
   * The value this compute will replace, if the key had one (a refresh, or a recompute after a
   * timer or an input's update): lets a primer build incrementally on what it had.
   */
  Optional<V> previousValue();

  /** The version of {@link #previousValue()}, or 0 when the key has never had a value. */
  long previousVersion();

  /**
   * Gives the value this compute returns its own freshness, instead of the primer's {@link
   * Freshness}: for that value only (see {@link ValueFreshness}). The last call before the compute
   * returns counts; a compute that fails stores nothing, its freshness neither.
   *
   * @throws NullPointerException if {@code freshness} is null
   * @throws UnsupportedOperationException from a context that does not store values (the default)
   */
  default void valueFreshness(ValueFreshness freshness) {
    throw new UnsupportedOperationException("This compute context does not store values");
  }

  /**
   * Whether KCK gave up on this compute because a product it read has changed since (its result
   * would be older than its inputs). KCK also interrupts the compute's thread, and drops whatever
   * it returns: a long compute may check this between steps and return early (any value, or
   * throw). Another compute of the key, from the new inputs, has already started. Thread-safe.
   */
  default boolean isCancelled() {
    return false;
  }

  /** Reads another product's value and records the dependency on it; see the class comment. */
  <T> T get(Key<T> key);

  /** Reads the product of this primer and parameter values; see {@link #get(Key)}. */
  default <T> T get(Primer<T> primer, Object... parameters) {
    return get(primer.key(parameters));
  }

  /**
   * Reads the product named by its key text (parsed against the registered primers); see {@link
   * #get(Key)}.
   *
   * @throws io.kck.errors.InvalidKeyException if the text is not a key of a registered primer
   */
  Object get(String key);
}
