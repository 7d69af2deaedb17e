package io.kck.samples.cashregister;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.KckBlocking;
import io.kck.errors.KckException;
import io.kck.Subscription;
import io.kck.http.KckHttp;
import akka.http.javadsl.ServerBinding;
import io.kck.primer.Key;
import java.io.File;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The cash-register showcase, first part: the sales of a shop's registers, imported from a slow
 * point-of-sale system and kept ready by KCK.
 *
 * <ol>
 *   <li>Compute once: 1,000 callers ask for the same register's day at the same moment; the
 *       import runs once.
 *   <li>Cache hit: asking again is answered from the key's actor, in microseconds.
 *   <li>Replay: run the sample twice. The second run finds every value in PostgreSQL and imports
 *       nothing.
 *   <li>Kept warm: the live sales of registers 1 to 3 are re-imported every second by their own
 *       timers, from start-up, with nobody asking.
 *   <li>Always fresh: a till's balance is read anew for every get; gets that arrive together share
 *       one reading.
 *   <li>Dependencies and augment: each store's totals are derived from its registers, the chain's
 *       league table from the stores. A new sale augments its register's day in place; the store
 *       and the league table follow its delta on their own. The sample prints how long the
 *       augment took, how long until the league table had it, and how long a full recompute takes.
 *   <li>Fresh because the table changed: a till inserts a sale into {@code counter_sales} with plain
 *       SQL, telling KCK nothing; KCK follows the table (a source, read by logical replication),
 *       adds the sale to its register's day, and the league table two levels up follows. The sample
 *       prints how long after the commit each had it.
 * </ol>
 *
 * Run: {@code mvn -q test-compile exec:java}. Its data lives in {@code kck-data/} (delete it to
 * start over).
 */
public final class CashRegisterSample {
  static final LocalDate DAY = LocalDate.of(2026, 11, 2);
  static final int REGISTERS = 5;

  /** What one run saw, for the test that runs the sample. */
  public record Report(
      int imports, int keysFromStore, long concurrentGets, List<Entry<RegisterDay>> days,
      List<Entry<RegisterDay>> live, int tillReadings, League leagueBefore, League leagueAfter,
      double propagationMillis, double augmentMillis, double recomputeMillis,
      Entry<RegisterDay> rungUpBefore, Entry<RegisterDay> rungUpAfter, Sale rungUp, League leagueAfterRungUp,
      double rungUpDayMillis, double rungUpLeagueMillis) {}

  public static void main(String[] args) throws Exception {
    // conf/application.conf runs cluster traffic over mutual TLS: this sample's own certificate.
    Config config = ConfigFactory.load(NodeCertificates.ensure(java.nio.file.Path.of("kck-data/tls"))
        .withFallback(ConfigFactory.parseFile(new File("conf/application.conf"))));
    run(config, System.out);
  }

  public static Report run(Config config, PrintStream out) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "cash-register", config);
    try {
      SalesSource source = new SalesSource(Duration.ofMillis(300));
      // The tills write their sales into KCK's own PostgreSQL (embedded here), a table KCK follows.
      CounterSales counter = new CounterSales(config);
      counter.create();
      RegisterSales registerSales = new RegisterSales(source, counter);
      LiveSales liveSales = new LiveSales(source, Duration.ofSeconds(1), List.of(1, 2, 3));
      TillBalance till = new TillBalance(source);
      StoreTotals storeTotals = new StoreTotals(registerSales);
      LeagueTable leagueTable = new LeagueTable(storeTotals);
      // KCK records its meters into this registry from the start; the HTTP service's /metrics serves it.
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus =
          new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
      Kck kck = Kck.builder(system).primers(registerSales, liveSales, till, storeTotals, leagueTable)
          .meterRegistry(prometheus).start();
      KckBlocking blocking = kck.blocking(); // where this sample waits anyway
      Instant runStarted = Instant.now();
      String site = null;
      try {
        ServerBinding http = KckHttp.start(kck).toCompletableFuture().get(30, TimeUnit.SECONDS);
        site = "http://127.0.0.1:" + http.localAddress().getPort();
        out.printf("== KCK's HTTP service: %s/ (the page), %s/api/keys/register-sales/1/2026-11-02%n", site, site);
      } catch (java.util.concurrent.ExecutionException e) {
        out.printf("== KCK's HTTP service did not start (%s); set KCK_HTTP_PORT to a free port. Going on without it.%n",
            e.getCause().getMessage());
      }

      out.println("== 1. Compute once: 1,000 concurrent gets of one register's day");
      Key<RegisterDay> key = registerSales.key(1, DAY);
      long started = System.nanoTime();
      List<CompletableFuture<RegisterDay>> answers = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        answers.add(kck.get(key).toCompletableFuture());
      }
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      out.printf("   %s: %d sales, total %s; 1,000 answers in %d ms; imports so far: %d%n",
          key, answers.get(0).join().sales().size(), euros(answers.get(0).join().totalCents()),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), source.imports());

      out.println("== 2. Cache hit");
      int hits = 10_000;
      started = System.nanoTime();
      for (int i = 0; i < hits; i++) {
        blocking.get(key);
      }
      long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started);
      out.printf("   %,d gets one after another: %.1f µs each, no import (imports so far: %d)%n",
          hits, micros / (double) hits, source.imports());

      out.println("== 3. All registers of the day, and where their values came from");
      List<Entry<RegisterDay>> days = new ArrayList<>();
      int fromStore = 0;
      for (int register = 1; register <= REGISTERS; register++) {
        Entry<RegisterDay> entry = blocking.getEntry(registerSales.key(register, DAY));
        days.add(entry);
        boolean earlier = entry.computedAt().isBefore(runStarted);
        fromStore += earlier ? 1 : 0;
        out.printf("   %-28s version %d, total %9s, computed %s%n", entry.key(), entry.version(),
            euros(entry.value().totalCents()),
            earlier ? "in an earlier run at " + entry.computedAt() + " (read back from PostgreSQL)" : "in this run");
      }
      out.println("== 4. A bad key fails with a clear error, and starts nothing");
      for (String bad : List.of("register-sales/seven/2026-11-02", "register-sales/1", "weather/today")) {
        try {
          blocking.get(bad);
        } catch (KckException e) {
          out.printf("   %-32s -> %s (%s): %s%n", bad, e.getClass().getSimpleName(), e.kind(), e.getMessage());
        }
      }
      out.println("== 5. Kept warm: live-sales/1..3 re-import every second, with nobody asking");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      List<Entry<RegisterDay>> live = new ArrayList<>();
      do {
        live.clear();
        for (int register = 1; register <= 3; register++) {
          live.add(blocking.getEntry(liveSales.key(register)));
        }
        Thread.sleep(200); // the sample watches the clock; the keys refresh on their own timers
      } while (live.stream().anyMatch(e -> e.version() < 3) && System.nanoTime() < deadline);
      for (Entry<RegisterDay> entry : live) {
        out.printf("   %-16s version %d, %3d sales so far, next import at %s%n",
            entry.key(), entry.version(), entry.value().sales().size(), entry.nextAttemptAt());
      }

      out.println("== 6. Always fresh: till/1 is read anew for every get; concurrent gets share a reading");
      int readings = source.tillReadings();
      long a = blocking.get(till.key(1));
      long b = blocking.get(till.key(1));
      List<CompletableFuture<Long>> together = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        together.add(kck.get(till.key(1)).toCompletableFuture());
      }
      CompletableFuture.allOf(together.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      int used = source.tillReadings() - readings;
      out.printf("   two gets one after another: %d then %d; 10 concurrent gets: %d reading(s) between them; %d readings in all%n",
          a, b, together.stream().map(CompletableFuture::join).distinct().count(), used);

      out.println("== 7. Derived products: store totals from their registers, a league table from the stores");
      Key<League> leagueKey = leagueTable.key(DAY);
      Entry<League> leagueBefore = blocking.getEntry(leagueKey);
      printLeague(out, leagueBefore);
      CompletableFuture<Entry<League>> leagueUpdated = new CompletableFuture<>();
      Entry<League> leagueAfter;
      League leagueAfterRungUp;
      Entry<League> leagueNow;
      Entry<RegisterDay> rungUpAfter;
      double rungUpDayMillis;
      double rungUpLeagueMillis;
      double propagationMillis;
      double augmentMillis;
      try (Subscription subscription = kck.subscribe(leagueKey, entry -> {
        if (entry.version() > leagueBefore.version()) {
          leagueUpdated.complete(entry);
        }
      })) {
        // A sale rung up at register 2 (store 1) arrives from the point of sale: it augments the
        // register's day in place, and the store and the league table follow its delta.
        Key<RegisterDay> register2 = registerSales.key(2, DAY);
        RegisterDay day2 = blocking.get(register2);
        Sale sale = new Sale(day2.sales().get(day2.sales().size() - 1).at().plusMinutes(1), "cake", 45_00);
        long augmentStarted = System.nanoTime();
        long version = blocking.augment(register2, sale);
        long stored = System.nanoTime();
        augmentMillis = (stored - augmentStarted) / 1e6;
        leagueAfter = leagueUpdated.get(30, TimeUnit.SECONDS);
        propagationMillis = (System.nanoTime() - stored) / 1e6;
        out.printf("   a sale of %s at register 2 augments %s to version %d in %.1f ms;"
                + " %.1f ms later the league table has it:%n",
            euros(sale.cents()), register2, version, augmentMillis, propagationMillis);
      }
      printLeague(out, leagueAfter);

      out.println("== 8. Fresh because the table changed: a till inserts a sale with plain SQL, and KCK follows");
      Key<RegisterDay> register3 = registerSales.key(3, DAY);
      Entry<RegisterDay> rungUpBefore = blocking.getEntry(register3);
      CompletableFuture<Entry<RegisterDay>> dayHasIt = new CompletableFuture<>();
      long[] dayAt = new long[1];
      CompletableFuture<Long> leagueHasIt = new CompletableFuture<>();
      java.util.concurrent.atomic.AtomicLong storeOneShouldBe = new java.util.concurrent.atomic.AtomicLong(-1);
      java.util.concurrent.atomic.AtomicReference<Entry<League>> leagueSeen = new java.util.concurrent.atomic.AtomicReference<>();
      Sale rungUp = new Sale(LocalTime.of(19, 30), "flowers", 12_50);
      long committed;
      try (Subscription day = kck.subscribe(register3, entry -> {
            if (entry.version() > rungUpBefore.version() && !dayHasIt.isDone()) {
              dayAt[0] = System.nanoTime();
              dayHasIt.complete(entry);
            }
          });
          Subscription league = kck.subscribe(leagueKey, entry -> {
            if (!leagueHasIt.isDone()) {
              leagueSeen.set(entry);
            }
            if (storeCents(entry.value(), 1) == storeOneShouldBe.get()) {
              leagueHasIt.complete(System.nanoTime()); // register 3 stands in store 1
            }
          })) {
        counter.ringUp(3, DAY, rungUp); // INSERT INTO counter_sales ..., committed: KCK is told nothing
        committed = System.nanoTime();
        rungUpAfter = dayHasIt.get(30, TimeUnit.SECONDS);
        // Store 1 is registers 1 to 3: what the league table must show for it now.
        long storeOne = rungUpAfter.value().totalCents();
        for (int register : StoreTotals.REGISTERS.get(1)) {
          storeOne += register == 3 ? 0 : blocking.get(registerSales.key(register, DAY)).totalCents();
        }
        storeOneShouldBe.set(storeOne);
        Entry<League> seen = leagueSeen.get();
        if (seen != null && storeCents(seen.value(), 1) == storeOne) {
          leagueHasIt.complete(System.nanoTime());
        }
        long leagueAt;
        try {
          leagueAt = leagueHasIt.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException("The league table did not reach " + euros(storeOne) + " for store 1 within"
              + " 30 s of the sale's commit; it shows " + leagueSeen.get(), e);
        }
        rungUpDayMillis = (dayAt[0] - committed) / 1e6;
        rungUpLeagueMillis = (Math.max(leagueAt, dayAt[0]) - committed) / 1e6;
        leagueNow = leagueSeen.get();
        leagueAfterRungUp = leagueNow.value();
      }
      out.printf("   a sale of %s inserted into counter_sales for register 3 with plain JDBC: %s had it %.1f ms after"
              + " the commit (version %d to %d, no import), the league table %.1f ms after:%n", euros(rungUp.cents()),
          register3, rungUpDayMillis, rungUpBefore.version(), rungUpAfter.version(), rungUpLeagueMillis);
      printLeague(out, leagueNow);
      int importsBefore = source.imports();
      long recomputeStarted = System.nanoTime();
      blocking.refresh(registerSales.key(2, DAY.minusDays(1)));
      double recomputeMillis = (System.nanoTime() - recomputeStarted) / 1e6;
      out.printf("   for comparison, a full recompute of a register's day (refresh: import again, store) took %.1f ms;"
              + " the augment %.1f ms%n", recomputeMillis, augmentMillis);
      int comparisonImports = source.imports() - importsBefore;

      int imports = source.imports() - comparisonImports;
      out.printf("== Imports in this run: %d (besides the one for comparison). %d of %d values came from PostgreSQL without recomputing.%n",
          imports, fromStore, REGISTERS);
      if (fromStore < REGISTERS) {
        out.println("   Run the sample again: the next run imports nothing.");
      }
      if (Boolean.getBoolean("kck.sample.stay") && site != null) {
        out.printf("== Serving %s/ until you press Enter%n", site);
        System.in.read();
      }
      return new Report(imports, fromStore, answers.size(), days, live, used,
          leagueBefore.value(), leagueAfter.value(), propagationMillis, augmentMillis, recomputeMillis,
          rungUpBefore, rungUpAfter, rungUp, leagueAfterRungUp, rungUpDayMillis, rungUpLeagueMillis);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static void printLeague(PrintStream out, Entry<League> league) {
    int rank = 1;
    for (StoreDay store : league.value().ranking()) {
      out.printf("   %d. store %d (registers %s): %d sales, %9s   [%s version %d]%n", rank++, store.store(),
          store.registers(), store.sales(), euros(store.totalCents()), league.key(), league.version());
    }
  }

  private static long storeCents(League league, int store) {
    return league.ranking().stream().filter(day -> day.store() == store).mapToLong(StoreDay::totalCents).sum();
  }

  private static String euros(long cents) {
    return String.format("€%d.%02d", cents / 100, cents % 100);
  }
}
