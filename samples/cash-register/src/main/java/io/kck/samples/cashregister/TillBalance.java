package io.kck.samples.cashregister;

import io.kck.primer.ComputeContext;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;

/**
 * The cash in a register's till right now, key {@code till/<register>}: always fresh, so every
 * get is answered with a reading taken after the get arrived; gets that arrive together share one
 * reading.
 */
public final class TillBalance extends Primer<Long> {
  public static final Parameter<Integer> REGISTER = Parameter.ofInt("register");

  private final SalesSource source;

  public TillBalance(SalesSource source) {
    super("till", Long.class, REGISTER);
    this.source = source;
  }

  @Override
  public Freshness freshness() {
    return Freshness.alwaysFresh();
  }

  @Override
  public Long compute(Key<Long> key, ComputeContext<Long> context) throws Exception {
    return source.readTill(key.get(REGISTER));
  }
}
