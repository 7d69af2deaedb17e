package io.kck.docs;

import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.LocalDate;

// tag::register-sales[]
/** The data product "sales of one register on one day", key register-sales/<register>/<day>. */
public final class RegisterSales extends Primer<DaySales> {
  public static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
  public static final Parameter<LocalDate> DAY = Parameter.ofDate("day");

  public RegisterSales() {
    super("register-sales", DaySales.class, REGISTER, DAY);
  }

  @Override
  public DaySales compute(Key<DaySales> key, ComputeContext<DaySales> context) throws Exception {
    int register = key.get(REGISTER);
    LocalDate day = key.get(DAY);
    Thread.sleep(200); // stands for the slow part: a query, a call to another system
    return new DaySales(register, day, 3, 1_250L * register);
  }
}
// end::register-sales[]
