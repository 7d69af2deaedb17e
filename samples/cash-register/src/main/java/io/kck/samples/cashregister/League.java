package io.kck.samples.cashregister;

import java.time.LocalDate;
import java.util.List;

/** The chain's stores of one day, best first. */
public record League(LocalDate day, List<StoreDay> ranking) {

  /** A sale at one store, as the league table's delta. */
  public record StoreSale(int store, Sale sale) {}

  /** The table with one more sale at one store, ranked again: the augment of {@link LeagueTable}. */
  public League plus(StoreSale storeSale) {
    List<StoreDay> stores = new java.util.ArrayList<>();
    for (StoreDay store : ranking) {
      stores.add(store.store() == storeSale.store() ? store.plus(storeSale.sale()) : store);
    }
    stores.sort(java.util.Comparator.comparingLong(StoreDay::totalCents).reversed());
    return new League(day, List.copyOf(stores));
  }
}
