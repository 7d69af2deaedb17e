package io.kck.samples.cashregister;

import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.LocalDate;

/** The data product "sales of one register on one day": key {@code register-sales/<register>/<day>}. */
public final class RegisterSales extends Primer<RegisterDay> {
  public static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
  public static final Parameter<LocalDate> DAY = Parameter.ofDate("day");

  private final SalesSource source;

  public RegisterSales(SalesSource source) {
    super("register-sales", RegisterDay.class, REGISTER, DAY);
    this.source = source;
  }

  /** A new sale is added in place: the day is not imported again. */
  @Override
  public java.util.Optional<io.kck.primer.Augment<RegisterDay, ?>> augment() {
    return java.util.Optional.of(io.kck.primer.Augment.of(Sale.class, RegisterDay::plus));
  }

  @Override
  public RegisterDay compute(Key<RegisterDay> key, ComputeContext<RegisterDay> context) throws Exception {
    return source.importDay(key.get(REGISTER), key.get(DAY));
  }
}
