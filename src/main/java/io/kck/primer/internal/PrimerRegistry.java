package io.kck.primer.internal;

import static java.lang.invoke.MethodType.methodType;

import io.kck.errors.InvalidKeyException;
import io.kck.errors.UnknownPrimerException;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import java.lang.invoke.MethodHandle;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The primers registered at start-up, by name, and the parser of key text into typed keys.
 * Immutable and thread-safe. Applications parse key text with {@code kck.key(text)}, which uses
 * this.
 */
public final class PrimerRegistry {
  // Primer.parseKey(String), package-private: applications parse with kck.key(text).
  private static final MethodHandle PARSE_KEY =
      PrimerPackage.method(Primer.class, "parseKey", methodType(Key.class, String.class));

  private final Map<String, Primer<?>> byName;

  private PrimerRegistry(Map<String, Primer<?>> byName) {
    this.byName = byName;
  }

  /**
   * @throws IllegalArgumentException if two primers share a name
   */
  public static PrimerRegistry of(Collection<? extends Primer<?>> primers) {
    Map<String, Primer<?>> byName = new LinkedHashMap<>();
    for (Primer<?> primer : primers) {
      Primer<?> earlier = byName.putIfAbsent(primer.name(), primer);
      if (earlier != null) {
        throw new IllegalArgumentException(
            "Two primers are named '" + primer.name() + "': " + earlier.getClass().getName()
                + " and " + primer.getClass().getName());
      }
    }
    return new PrimerRegistry(Collections.unmodifiableMap(byName));
  }

  /** The primer of that name, if one is registered. */
  public Optional<Primer<?>> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Whether {@code primer} is the one registered under its name (not merely one of that name). */
  public boolean contains(Primer<?> primer) {
    return primer != null && byName.get(primer.name()) == primer;
  }

  /** Every registered primer, in registration order. */
  public Collection<Primer<?>> primers() {
    return byName.values();
  }

  /**
   * Parses key text ({@code name/param1/...}) into its canonical typed key.
   *
   * @throws InvalidKeyException (or a subclass) naming the key and what is wrong with it
   */
  public Key<?> parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidKeyException(String.valueOf(text), text == null
          ? "The key text (parameter 'text') is null" : "Invalid key '': a key names a primer");
    }
    int separator = text.indexOf('/');
    String name = separator < 0 ? text : text.substring(0, separator);
    Primer<?> primer = byName.get(name);
    if (primer == null) {
      throw new UnknownPrimerException(text, name);
    }
    try {
      return (Key<?>) PARSE_KEY.invokeExact(primer, text);
    } catch (Throwable thrown) {
      throw PrimerPackage.rethrow(thrown);
    }
  }
}
