package io.kck.docs;

import java.time.LocalDate;

/** The remote system the docs' products import from: slow, and it may block. */
public interface PointOfSale {
  DaySales importDay(int register, LocalDate day) throws Exception;

  long readTill(int register) throws Exception;

  /** A point-of-sale system made up for tests: every register sold one item per day of the month. */
  static PointOfSale madeUp() {
    return new PointOfSale() {
      @Override
      public DaySales importDay(int register, LocalDate day) {
        return new DaySales(register, day, day.getDayOfMonth(), 100L * register * day.getDayOfMonth());
      }

      @Override
      public long readTill(int register) {
        return 10_000L * register;
      }
    };
  }
}
