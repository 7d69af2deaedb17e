package io.kck.persistence;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.primer.Primer;
import io.kck.primer.internal.PrimerRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * The codecs of every registered primer's values and augment deltas, made once when KCK starts.
 * Immutable; thread-safe.
 */
public final class ValueCodecs {
  private final Map<String, ValueCodec> values;
  private final Map<String, ValueCodec> deltas;

  public ValueCodecs(PrimerRegistry primers, ObjectMapper mapper) {
    Map<String, ValueCodec> byName = new HashMap<>();
    Map<String, ValueCodec> deltasByName = new HashMap<>();
    for (Primer<?> primer : primers.primers()) {
      byName.put(primer.name(), new ValueCodec(mapper, primer.valueType()));
      primer.augment().ifPresent(
          augment -> deltasByName.put(primer.name(), new ValueCodec(mapper, augment.deltaType())));
    }
    this.values = Map.copyOf(byName);
    this.deltas = Map.copyOf(deltasByName);
  }

  /** The codec of {@code primer}'s values. */
  public ValueCodec of(Primer<?> primer) {
    return values.get(primer.name());
  }

  /** The codec of {@code primer}'s augment deltas; null when it declares none. */
  public ValueCodec deltasOf(Primer<?> primer) {
    return deltas.get(primer.name());
  }
}
