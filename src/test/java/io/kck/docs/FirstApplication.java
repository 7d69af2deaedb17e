package io.kck.docs;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.primer.Key;
import java.time.LocalDate;

// tag::first-application[]
public final class FirstApplication {
  public static void main(String[] args) {
    // Your application's ActorSystem: application.conf on the classpath, over the jars' reference.conf.
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "shop");
    try {
      startAndRead(system);
    } finally {
      // Akka's coordinated shutdown: KCK hands its keys off and stops; the embedded PostgreSQL stops with the JVM.
      system.terminate();
    }
  }

  static Kck startAndRead(ActorSystem<Void> system) {
    RegisterSales registerSales = new RegisterSales();
    Kck kck = Kck.start(system, registerSales); // joins the one-node cluster, starts PostgreSQL, creates the tables

    Key<DaySales> key = registerSales.key(7, LocalDate.of(2026, 11, 2));
    Entry<DaySales> first = kck.blocking().getEntry(key);  // a miss: computes (200 ms) and stores the value
    Entry<DaySales> second = kck.blocking().getEntry(key); // a hit: answered from memory
    System.out.printf("%s = %s: version %d, computed at %s; the second get: version %d%n",
        key, first.value(), first.version(), first.computedAt(), second.version());
    return kck;
  }
}
// end::first-application[]
