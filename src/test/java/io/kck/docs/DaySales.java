package io.kck.docs;

import java.time.LocalDate;

// tag::day-sales[]
/** What one register sold on one day. KCK stores values as JSON: any type Jackson reads and writes. */
public record DaySales(int register, LocalDate day, int sales, long totalCents) {

  /** This day with one more sale (used by augment, see docs/concepts.md): a new value, this one stays. */
  public DaySales plus(Sale sale) {
    return new DaySales(register, day, sales + 1, totalCents + sale.cents());
  }
}
// end::day-sales[]
