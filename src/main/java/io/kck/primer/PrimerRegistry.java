package io.kck.primer;

import io.kck.errors.InvalidKeyException;
import io.kck.errors.UnknownPrimerException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The primers registered at start-up, by name, and the parser of key text into typed keys.
 * Immutable and thread-safe. Applications parse key text with {@code kck.key(text)}, which uses
 * this.
 */
public final class PrimerRegistry {
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
      throw new InvalidKeyException(
          String.valueOf(text), "Invalid key " + (text == null ? "null" : "''") + ": a key names a primer");
    }
    List<String> segments = KeyText.split(text);
    Primer<?> primer = byName.get(segments.get(0));
    if (primer == null) {
      throw new UnknownPrimerException(text, segments.get(0));
    }
    return primer.parseSegments(text, segments);
  }
}
