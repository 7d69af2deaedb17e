package io.kck.docs;

import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.ValueFreshness;
import java.time.LocalDate;
import java.time.ZoneId;

/** The code of the sections on a value's own freshness and on value formats in docs/concepts.md. */
final class ValueLifeSnippets {
  private static final Parameter<Integer> REGISTER = RegisterSales.REGISTER;

  /** Format 2 of the till's value (format 1 was {@code Balance(long cents)}, stored as {@code {"cents": 1250}}). */
  record Money(long amount, String currency) {}

  private final PointOfSale pointOfSale;
  private final ZoneId zone = ZoneId.of("Europe/Berlin");

  ValueLifeSnippets(PointOfSale pointOfSale) {
    this.pointOfSale = pointOfSale;
  }

  Primer<DaySales> valueFreshness() {
    // tag::value-freshness[]
    Primer<DaySales> salesToday = Primer.builder("sales-today", DaySales.class)
        .parameters(REGISTER)
        .compute((key, context) -> {
          LocalDate today = LocalDate.now(zone);
          // Today's report is made anew at midnight, when "today" is another day.
          context.valueFreshness(ValueFreshness.refreshAt(today.plusDays(1).atStartOfDay(zone).toInstant()));
          return pointOfSale.importDay(key.get(REGISTER), today);
        })
        .build();
    // end::value-freshness[]
    return salesToday;
  }

  Primer<Money> valueFormat() {
    // tag::value-format[]
    Primer<Money> till = Primer.builder("till-balance", Money.class)
        .parameters(REGISTER)
        .compute((key, context) -> new Money(pointOfSale.readTill(key.get(REGISTER)), "EUR"))
        .valueFormat(2) // was Balance(long cents), format 1
        .migrateFrom(1, stored -> new Money(stored.get("cents").asLong(), "EUR"))
        .build();
    // end::value-format[]
    return till;
  }
}
