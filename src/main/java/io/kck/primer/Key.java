package io.kck.primer;

import java.util.List;

/**
 * A parsed, validated key of one primer: the primer, its parameter values in declaration order,
 * and the one canonical text form {@code name/param1/param2...}. Two keys are equal when their
 * canonical texts are equal, whichever way they were built ({@link Primer#key(Object...)} or
 * {@code kck.key(text)}).
 *
 * <p>Immutable and thread-safe. (A key also caches where a node's read tier holds its entry, as a
 * string caches its hash: nothing a caller can see.)
 *
 * @param <V> the type of the value the key names
 */
public final class Key<V> {
  private final Primer<V> primer;
  private final List<Object> values;
  private final String text;
  // Where this node's read tier held the key's entry when a get last looked: racy by design,
  // since any slot read here is checked before it is trusted. Package-private, so that
  // applications do not see it; the engine reaches it through io.kck.primer.internal.KeySlots.
  Object tierSlot;

  Key(Primer<V> primer, List<Object> values, String text) {
    this.primer = primer;
    this.values = List.copyOf(values);
    this.text = text;
  }

  /** The primer whose key this is. */
  public Primer<V> primer() {
    return primer;
  }

  /** The canonical text form; also the entity id of the key's actor. */
  public String text() {
    return text;
  }

  /** The parameter values in declaration order. */
  public List<Object> values() {
    return values;
  }

  /**
   * The value of one of this key's parameters.
   *
   * @throws IllegalArgumentException if {@code parameter} is not a parameter of this key's primer
   * @throws NullPointerException naming {@code parameter} if it is null
   */
  public <T> T get(Parameter<T> parameter) {
    if (parameter == null) {
      throw new NullPointerException("Key '" + text + "': the parameter (parameter 'parameter') is null; its primer declares "
          + primer.parameters());
    }
    int index = primer.parameters().indexOf(parameter);
    if (index < 0) {
      throw new IllegalArgumentException(
          "Key '" + text + "' has no parameter " + parameter + " (its primer declares "
              + primer.parameters() + ")");
    }
    return parameter.type().cast(values.get(index));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Key<?> key && key.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
