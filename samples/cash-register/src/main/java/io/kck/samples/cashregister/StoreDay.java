package io.kck.samples.cashregister;

import java.time.LocalDate;
import java.util.List;

/** One store's day: the sum of its registers' days. */
public record StoreDay(int store, LocalDate day, List<Integer> registers, int sales, long totalCents) {

  /** This store's day with one more sale: the augment of {@link StoreTotals}. */
  public StoreDay plus(Sale sale) {
    return new StoreDay(store, day, registers, sales + 1, totalCents + sale.cents());
  }
}
