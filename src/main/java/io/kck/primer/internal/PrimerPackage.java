package io.kck.primer.internal;

import io.kck.primer.Key;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.UndeclaredThrowableException;

/**
 * The package-private members of {@code io.kck.primer} this package uses, found once by a private
 * lookup into that package (allowed: both are in KCK's jar, one module). A member that is renamed
 * or retyped fails here, when the first class of this package is loaded: every test that starts
 * KCK, and {@code PrimerInternalsTest}, notice it at once.
 */
final class PrimerPackage {
  private static final MethodHandles.Lookup PRIVATE;

  static {
    try {
      PRIVATE = MethodHandles.privateLookupIn(Key.class, MethodHandles.lookup());
    } catch (IllegalAccessException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private PrimerPackage() {}

  /** The package-private field {@code name} of {@code owner}. */
  static VarHandle field(Class<?> owner, String name, Class<?> type) {
    try {
      return PRIVATE.findVarHandle(owner, name, type);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The package-private instance method {@code name} of {@code owner}, with the receiver first. */
  static MethodHandle method(Class<?> owner, String name, MethodType type) {
    try {
      return PRIVATE.findVirtual(owner, name, type);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * What a handle threw, thrown on: the members called here declare no checked exception, so it
   * is unchecked (an error or a runtime exception, such as a primer's check refusing a delta).
   */
  static RuntimeException rethrow(Throwable thrown) {
    if (thrown instanceof RuntimeException unchecked) {
      return unchecked;
    }
    if (thrown instanceof Error error) {
      throw error;
    }
    return new UndeclaredThrowableException(thrown);
  }
}
