package io.kck.docs;

import java.time.LocalDate;

/** What one store sold on one day: the sum of its registers' days. */
public record StoreSales(int store, LocalDate day, int sales, long totalCents) {

  /** This day with one more sale at one of the store's registers. */
  public StoreSales plus(Sale sale) {
    return new StoreSales(store, day, sales + 1, totalCents + sale.cents());
  }
}
