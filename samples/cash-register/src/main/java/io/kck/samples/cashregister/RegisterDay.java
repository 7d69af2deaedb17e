package io.kck.samples.cashregister;

import java.time.LocalDate;
import java.util.List;

/** A register's sales of one day, as imported from the shop's point-of-sale system. */
public record RegisterDay(int register, LocalDate day, List<Sale> sales, long totalCents) {
  public static RegisterDay of(int register, LocalDate day, List<Sale> sales) {
    return new RegisterDay(register, day, List.copyOf(sales), sales.stream().mapToLong(Sale::cents).sum());
  }
}
