package io.kck.samples.minimal;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The least an application does to use KCK: define a data product, start KCK on its own
 * ActorSystem, get a value twice (the second get is a hit), stop.
 *
 * <p>Run, after installing the library ({@code mvn -q -B install -DskipTests} in its directory):
 * {@code mvn -q -f samples/minimal/pom.xml compile exec:java}. Run it again and the first get
 * reads the value back from PostgreSQL instead of computing it; delete {@code
 * samples/minimal/target/kck-data} to start over.
 */
public final class MinimalSample {
  private MinimalSample() {}

  public static void main(String[] args) throws Exception {
    // The data product: greeting/<name>, whose compute stands for slow work (a query, a remote call).
    Parameter<String> name = Parameter.ofString("name");
    AtomicInteger computes = new AtomicInteger();
    Primer<String> greeting = Primer.builder("greeting", String.class)
        .parameters(name)
        .compute((key, context) -> {
          computes.incrementAndGet();
          Thread.sleep(200);
          return "Hello, " + key.get(name) + "!";
        })
        .build();

    // The application's own ActorSystem; its configuration is application.conf on the classpath
    // over the reference.conf files of the jars (KCK's among them).
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "minimal");
    try {
      Instant runStarted = Instant.now();
      long started = System.nanoTime();
      Kck kck = Kck.start(system, greeting);
      System.out.printf("Kck.start took %d ms (database reachable, tables in place)%n", millis(started));

      Key<String> key = greeting.key("world");
      started = System.nanoTime();
      Entry<String> first = kck.blocking().getEntry(key);
      long firstMillis = millis(started);
      int computesAfterFirst = computes.get();
      boolean earlierRun = first.computedAt().isBefore(runStarted);
      System.out.printf("first get of %s: \"%s\" in %d ms, version %d, %s (computes: %d)%n",
          key, first.value(), firstMillis, first.version(),
          earlierRun ? "computed by an earlier run at " + first.computedAt() + ", read back from PostgreSQL"
              : "computed now",
          computesAfterFirst);

      started = System.nanoTime();
      Entry<String> second = kck.blocking().getEntry(key);
      double secondMillis = (System.nanoTime() - started) / 1e6;
      System.out.printf("second get of %s: \"%s\" in %.3f ms, version %d (computes: %d)%n",
          key, second.value(), secondMillis, second.version(), computes.get());

      boolean hit = computes.get() == computesAfterFirst && second.version() == first.version()
          && second.value().equals(first.value());
      if (!hit || computesAfterFirst > 1) {
        throw new IllegalStateException("expected one compute at most and a hit on the second get; saw "
            + computes.get() + " computes, versions " + first.version() + " and " + second.version());
      }
      System.out.printf("KCK minimal sample OK: %d compute(s), the second get was a hit%n", computes.get());
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static long millis(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }
}
