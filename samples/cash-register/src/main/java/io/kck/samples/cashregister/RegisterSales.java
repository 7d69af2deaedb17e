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

  @Override
  public RegisterDay compute(Key<RegisterDay> key, ComputeContext<RegisterDay> context) throws Exception {
    return source.importDay(key.get(REGISTER), key.get(DAY));
  }
}
