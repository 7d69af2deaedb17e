package io.kck.docs;

import io.kck.Kck;
import io.kck.primer.Augment;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.TableSource;
import java.util.List;

/** The Java of docs/sources.md: compiled, each region a block of the page. */
final class SourceSnippets {
  private static final Parameter<Integer> REGISTER = RegisterSales.REGISTER;
  private static final Parameter<java.time.LocalDate> DAY = RegisterSales.DAY;

  private SourceSnippets() {}

  static Primer<DaySales> augmented(PointOfSale pointOfSale) {
    // tag::source-augment[]
    Primer<DaySales> registerSales = Primer.builder("register-sales", DaySales.class)
        .parameters(REGISTER, DAY)
        .compute((key, context) -> pointOfSale.importDay(key.get(REGISTER), key.get(DAY)))
        .augment(Augment.of(Sale.class, DaySales::plus))
        .source(TableSource.table("sales") // public.sales, followed through KCK's replication slot
            .keyParameters(row -> List.of(row.getInt("register_id"), row.getDate("sold_at"))) // the row's key
            .augment(row -> new Sale(row.getTimestamp("sold_at").toLocalTime(), row.getString("item"),
                row.getLong("cents")))) // an inserted sale is added in place; an updated or deleted one outdates
        .build();
    // end::source-augment[]
    return registerSales;
  }

  static Primer<DaySales> outdated(PointOfSale pointOfSale) {
    // tag::source-outdate[]
    Primer<DaySales> registerSales = Primer.builder("register-sales", DaySales.class)
        .parameters(REGISTER, DAY)
        .compute((key, context) -> pointOfSale.importDay(key.get(REGISTER), key.get(DAY)))
        .source(TableSource.table("sales")
            .keyParameters(row -> List.of(row.getInt("register_id"), row.getDate("sold_at")))
            .onChange(TableSource.Action.OUTDATE)) // or REFRESH: recompute at once
        .build();
    // end::source-outdate[]
    return registerSales;
  }

  static void cleanUp(Kck kck) {
    // tag::source-clean-up[]
    List<String> dropped = kck.admin().dropUnusedSources().toCompletableFuture().join(); // what it dropped
    // end::source-clean-up[]
  }
}
