package io.kck.samples.cashregister;

import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import io.kck.primer.Augment;

/**
 * The data product "the chain's league table of one day": key {@code league-table/<day>}, derived
 * from every store's totals, which are derived from the registers. A new sale at one register
 * moves through the store to the league table without anybody asking.
 */
public final class LeagueTable extends Primer<League> {
  public static final Parameter<LocalDate> DAY = Parameter.ofDate("day");

  private final StoreTotals storeTotals;

  public LeagueTable(StoreTotals storeTotals) {
    super("league-table", League.class, DAY);
    this.storeTotals = storeTotals;
  }

  /** The table follows its stores' deltas: a sale at a store moves it up in place. */
  @Override
  public Optional<Augment<League, ?>> augment() {
    return Optional.of(Augment.of(League.StoreSale.class, League::plus)
        .fromUpstream((self, store, sale) ->
            Optional.of(new League.StoreSale(store.get(StoreTotals.STORE), (Sale) sale))));
  }

  @Override
  public League compute(Key<League> key, ComputeContext<League> context) {
    List<StoreDay> stores = new ArrayList<>();
    for (int store : StoreTotals.REGISTERS.keySet()) {
      stores.add(context.get(storeTotals.key(store, key.get(DAY))));
    }
    stores.sort(Comparator.comparingLong(StoreDay::totalCents).reversed());
    return new League(key.get(DAY), List.copyOf(stores));
  }
}
