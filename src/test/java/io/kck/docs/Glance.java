package io.kck.docs;

import akka.actor.typed.ActorSystem;
import io.kck.Kck;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.LocalDate;
import java.util.concurrent.CompletionStage;

/** The README's code glance. */
final class Glance {
  private Glance() {}

  static DaySales glance(ActorSystem<Void> system, PointOfSale pointOfSale) {
    // tag::glance[]
    // A data product: a name, typed parameters, and how to compute a value (it may block: JDBC, HTTP).
    Parameter<Integer> register = Parameter.ofInt("register");
    Parameter<LocalDate> day = Parameter.ofDate("day");
    Primer<DaySales> registerSales = Primer.builder("register-sales", DaySales.class)
        .parameters(register, day)
        .compute((key, context) -> pointOfSale.importDay(key.get(register), key.get(day)))
        .build();

    // Your application owns the ActorSystem; KCK adds to it.
    Kck kck = Kck.start(system, registerSales);

    Key<DaySales> key = registerSales.key(7, LocalDate.of(2026, 11, 2)); // register-sales/7/2026-11-02
    CompletionStage<DaySales> sales = kck.get(key); // computed once, however many callers ask at the same moment
    DaySales again = kck.blocking().get(key);       // then answered from memory (and from PostgreSQL after a restart)
    // end::glance[]
    sales.toCompletableFuture().join();
    return again;
  }
}
