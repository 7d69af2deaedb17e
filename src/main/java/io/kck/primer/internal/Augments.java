package io.kck.primer.internal;

import static java.lang.invoke.MethodType.methodType;

import io.kck.primer.Augment;
import io.kck.primer.Key;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * What the key's actor does with a primer's {@link Augment}: apply a delta, check one, and turn an
 * input's delta into the product's own. Package-private on {@code Augment}, so that an
 * application sees only how to declare one.
 */
public final class Augments {
  private static final MethodHandle APPLY =
      PrimerPackage.method(Augment.class, "apply", methodType(Object.class, Object.class, Object.class));
  private static final MethodHandle CHECK =
      PrimerPackage.method(Augment.class, "check", methodType(void.class, Object.class));
  private static final MethodHandle DELTA_FOR = PrimerPackage.method(
      Augment.class, "deltaFor", methodType(Optional.class, Key.class, Key.class, Object.class));

  private Augments() {}

  /** Applies {@code delta} (already checked to be of the delta type) to {@code value}: the new value. */
  public static Object apply(Augment<?, ?> augment, Object value, Object delta) {
    try {
      return (Object) APPLY.invokeExact(augment, value, delta);
    } catch (Throwable thrown) {
      throw PrimerPackage.rethrow(thrown);
    }
  }

  /**
   * Runs the primer's check ({@link Augment#validatedBy}) on {@code delta} (already of the delta type).
   *
   * @throws RuntimeException whatever the check throws to refuse it
   */
  public static void check(Augment<?, ?> augment, Object delta) {
    try {
      CHECK.invokeExact(augment, delta);
    } catch (Throwable thrown) {
      throw PrimerPackage.rethrow(thrown);
    }
  }

  /** The product's own delta for an input's delta, when its augment declared {@link Augment#fromUpstream}. */
  @SuppressWarnings("unchecked")
  public static Optional<Object> deltaFor(Augment<?, ?> augment, Key<?> self, Key<?> input, Object inputDelta) {
    try {
      return (Optional<Object>) (Optional<?>) DELTA_FOR.invokeExact(augment, self, input, inputDelta);
    } catch (Throwable thrown) {
      throw PrimerPackage.rethrow(thrown);
    }
  }
}
