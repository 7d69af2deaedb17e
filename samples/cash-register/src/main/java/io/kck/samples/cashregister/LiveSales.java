package io.kck.samples.cashregister;

import io.kck.primer.ComputeContext;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * "Today's sales so far" of a register, key {@code live-sales/<register>}: re-imported every
 * {@code interval} whether or not anybody asks, and kept warm from start-up for the registers
 * given (the registers whose sales head office watches).
 */
public final class LiveSales extends Primer<RegisterDay> {
  public static final Parameter<Integer> REGISTER = Parameter.ofInt("register");

  private final SalesSource source;
  private final Duration interval;
  private final List<Integer> watched;

  public LiveSales(SalesSource source, Duration interval, List<Integer> watched) {
    super("live-sales", RegisterDay.class, REGISTER);
    this.source = source;
    this.interval = interval;
    this.watched = List.copyOf(watched);
  }

  @Override
  public Freshness freshness() {
    return Freshness.periodic(interval);
  }

  /** Every register's live sales keep being imported after a restart, with nobody asking. */
  @Override
  public boolean keepsKeysWarm() {
    return true;
  }

  @Override
  public List<Key<RegisterDay>> warmKeys() {
    List<Key<RegisterDay>> keys = new ArrayList<>();
    watched.forEach(register -> keys.add(key(register)));
    return keys;
  }

  @Override
  public RegisterDay compute(Key<RegisterDay> key, ComputeContext<RegisterDay> context) throws Exception {
    return source.importToday(key.get(REGISTER), LocalDate.now());
  }
}
