package io.kck.samples.cashregister;

import java.time.LocalDate;
import java.util.List;

/** A register's sales of one day, as imported from the shop's point-of-sale system. */
public record RegisterDay(int register, LocalDate day, List<Sale> sales, long totalCents) {
  public static RegisterDay of(int register, LocalDate day, List<Sale> sales) {
    return new RegisterDay(register, day, List.copyOf(sales), sales.stream().mapToLong(Sale::cents).sum());
  }

  /** This day with one more sale: the augment of {@link RegisterSales}. A new value; this one stays. */
  public RegisterDay plus(Sale sale) {
    List<Sale> more = new java.util.ArrayList<>(sales.size() + 1);
    more.addAll(sales);
    more.add(sale);
    return new RegisterDay(register, day, List.copyOf(more), totalCents + sale.cents());
  }
}
