package io.kck.samples.cashregister;

import io.kck.primer.Augment;
import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.TableSource;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The data product "sales of one register on one day": key {@code register-sales/<register>/<day>}.
 * Imported from the point-of-sale system, plus, when given the tills' table, the sales rung up
 * there: that table is a source, and a new row is added to its register's day in place.
 */
public final class RegisterSales extends Primer<RegisterDay> {
  public static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
  public static final Parameter<LocalDate> DAY = Parameter.ofDate("day");

  private final SalesSource source;
  private final CounterSales counter; // null: imports only

  public RegisterSales(SalesSource source) {
    this(source, null);
  }

  public RegisterSales(SalesSource source, CounterSales counter) {
    super("register-sales", RegisterDay.class, REGISTER, DAY);
    this.source = source;
    this.counter = counter;
  }

  /** A new sale is added in place: the day is not imported again. */
  @Override
  public Optional<Augment<RegisterDay, ?>> augment() {
    return Optional.of(Augment.of(Sale.class, RegisterDay::plus));
  }

  /** A row inserted into counter_sales is a sale of its register's day, added as a delta. */
  @Override
  public List<TableSource> sources() {
    if (counter == null) {
      return List.of();
    }
    return List.of(TableSource.table("counter_sales")
        .keyParameters(row -> List.of(row.getInt("register"), row.getDate("day")))
        .augment(row -> new Sale(LocalTime.parse(row.text("sold_at")), row.text("item"), row.getLong("cents"))));
  }

  @Override
  public RegisterDay compute(Key<RegisterDay> key, ComputeContext<RegisterDay> context) throws Exception {
    RegisterDay imported = source.importDay(key.get(REGISTER), key.get(DAY));
    if (counter == null) {
      return imported;
    }
    List<Sale> sales = new ArrayList<>(imported.sales());
    sales.addAll(counter.of(key.get(REGISTER), key.get(DAY)));
    return RegisterDay.of(imported.register(), imported.day(), sales);
  }
}
