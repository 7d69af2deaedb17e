package io.kck.samples.cashregister;

import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import io.kck.primer.Augment;

/**
 * The data product "a store's totals of one day", derived from its registers' sales: key {@code
 * store-totals/<store>/<day>}. It reads each register's day through the compute context, so KCK
 * records the edges: a new value of any of those registers recomputes the store at once (eager,
 * the default).
 */
public final class StoreTotals extends Primer<StoreDay> {
  public static final Parameter<Integer> STORE = Parameter.ofInt("store");
  public static final Parameter<LocalDate> DAY = Parameter.ofDate("day");

  /** Which registers stand in which store. */
  public static final Map<Integer, List<Integer>> REGISTERS = Map.of(1, List.of(1, 2, 3), 2, List.of(4, 5));

  private final RegisterSales registerSales;

  public StoreTotals(RegisterSales registerSales) {
    super("store-totals", StoreDay.class, STORE, DAY);
    this.registerSales = registerSales;
  }

  /**
   * A store follows its registers' deltas: a new sale at one of them is added to the store's totals
   * in place, without reading every register again.
   */
  @Override
  public Optional<Augment<StoreDay, ?>> augment() {
    return Optional.of(Augment.of(Sale.class, StoreDay::plus)
        .fromUpstream((self, register, sale) -> Optional.of((Sale) sale)));
  }

  @Override
  public StoreDay compute(Key<StoreDay> key, ComputeContext<StoreDay> context) {
    int store = key.get(STORE);
    LocalDate day = key.get(DAY);
    List<Integer> registers = REGISTERS.getOrDefault(store, List.of());
    int sales = 0;
    long total = 0;
    for (int register : registers) {
      RegisterDay registerDay = context.get(registerSales.key(register, day));
      sales += registerDay.sales().size();
      total += registerDay.totalCents();
    }
    return new StoreDay(store, day, registers, sales, total);
  }
}
