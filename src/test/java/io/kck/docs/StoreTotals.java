package io.kck.docs;

import io.kck.primer.Augment;
import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

// tag::store-totals[]
/** A derived product: a store's day, read from its registers' days. Key store-totals/<store>/<day>. */
public final class StoreTotals extends Primer<StoreSales> {
  public static final Parameter<Integer> STORE = Parameter.ofInt("store");
  public static final Parameter<LocalDate> DAY = Parameter.ofDate("day");
  private static final Map<Integer, List<Integer>> REGISTERS = Map.of(1, List.of(1, 2, 3), 2, List.of(4, 5));

  private final RegisterSales registerSales;

  public StoreTotals(RegisterSales registerSales) {
    super("store-totals", StoreSales.class, STORE, DAY);
    this.registerSales = registerSales;
  }

  @Override
  public StoreSales compute(Key<StoreSales> key, ComputeContext<StoreSales> context) {
    int sales = 0;
    long total = 0;
    for (int register : REGISTERS.getOrDefault(key.get(STORE), List.of())) {
      DaySales day = context.get(registerSales.key(register, key.get(DAY))); // a tracked read: an edge
      sales += day.sales();
      total += day.totalCents();
    }
    return new StoreSales(key.get(STORE), key.get(DAY), sales, total);
  }
  // end::store-totals[]

  // tag::from-upstream[]
  @Override
  public Optional<Augment<StoreSales, ?>> augment() {
    // A new sale at one of the store's registers is added to the store's day in place, no recompute.
    return Optional.of(Augment.of(Sale.class, StoreSales::plus)
        .fromUpstream((self, register, sale) -> Optional.of((Sale) sale)));
  }
  // end::from-upstream[]
// tag::store-totals[]
}
// end::store-totals[]
