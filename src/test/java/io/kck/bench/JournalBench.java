package io.kck.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import io.kck.ForgetReport;
import io.kck.Kck;
import io.kck.persistence.EmbeddedAccess;
import io.kck.persistence.JournalPosition;
import io.kck.persistence.JournalRows;
import io.kck.persistence.UnwrittenPage;
import io.kck.primer.Primer;
import io.kck.testing.CountingPrimer;
import io.kck.testing.ShiftedClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToLongFunction;

/**
 * The {@code journal} case: KCK's background work on a large journal. The journal is filled by SQL
 * ({@code INSERT ... SELECT generate_series}) with copies of one real key's first event under other
 * keys and sequence numbers: {@code kck.bench.journal-rows} rows (10,000,000; 2,000 in the smoke
 * run) over {@code kck.bench.journal-keys} keys of one primer (a tenth of the rows), written at
 * times spread over 60 days, so that about half the keys are older than the default retention (30
 * days). No snapshots. Then, after a restart:
 *
 * <ul>
 *   <li>the warm-key registry's load (a restart until {@code warmKeys()} lists its 1,000 keys),
 *       beside the same before the journal was filled;
 *   <li>{@code kck.bench.journal-recovery-keys} keys (1,000,000 at most) read back: keys/s, and the
 *       heap after a collection;
 *   <li>the retention sweep's walk over the whole journal (no key qualifies, so every row is read:
 *       its worst case), beside the query the sweep ran before it walked in pages (one {@code
 *       GROUP BY} over the primer's rows), and one whole sweep ({@code forgetUnused()}: the walk
 *       until 1,000 candidates, which each forget themselves);
 *   <li>hits and puts while the walk (or the former query) runs in a loop, beside the same without.
 * </ul>
 *
 * <p>Run: {@code mvn -q test-compile exec:java -Dexec.mainClass=io.kck.bench.Benchmarks
 * -Dkck.bench.cases=journal -Dkck.bench.journal-rows=10000000}. Filling 10,000,000 rows takes
 * minutes and about 4 GB of disk in {@code target/kck-bench-postgres}.
 */
final class JournalBench {
  private static final long DAY = Duration.ofDays(1).toMillis();

  private JournalBench() {}

  static void run(Benchmarks bench, Config config, String dataDirectory, String run) throws Exception {
    boolean smoke = bench.sizes().smoke();
    long journalRows = Long.getLong("kck.bench.journal-rows", smoke ? 2_000 : 10_000_000);
    long keys = Long.getLong("kck.bench.journal-keys", Math.max(1, journalRows / 10));
    int recoveryKeys = (int) Math.min(keys, Long.getLong("kck.bench.journal-recovery-keys", smoke ? 200 : 1_000_000));
    int warm = smoke ? 20 : 1000;
    int rounds = smoke ? 1 : 3;
    String name = "bench-journal-" + run;
    String warmName = "bench-journal-warm-" + run;
    String hotName = "bench-journal-hot-" + run;
    String size = String.format("%,d rows", journalRows);

    ActorSystem<Void> first = ActorSystem.create(Behaviors.empty(), "bench-journal", config);
    try {
      // The value all the keys' rows copy was computed (and last used) 60 days ago: keys the sweep
      // finds by their rows' write times forget themselves when asked.
      ShiftedClock sixtyDaysAgo = new ShiftedClock();
      sixtyDaysAgo.timePasses(Duration.ofDays(-60));
      Kck kck = Kck.builder(first).clock(sixtyDaysAgo)
          .primers(new CountingPrimer(name), new CountingPrimer(warmName), new CountingPrimer(hotName)).start();
      kck.get(name + "/seed").toCompletableFuture().get(60, TimeUnit.SECONDS);
      List<CompletableFuture<Void>> added = new ArrayList<>();
      for (int i = 0; i < warm; i++) {
        added.add(kck.keepWarm(warmName + "/" + i).toCompletableFuture());
      }
      CompletableFuture.allOf(added.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    } finally {
      terminate(first);
    }
    double[] warmBefore = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      warmBefore[round] = warmKeysAfterStart(config, warm, name, warmName, hotName);
    }

    long filling = System.nanoTime();
    fill(dataDirectory, name, journalRows, keys);
    double fillSeconds = (System.nanoTime() - filling) / 1e9;
    bench.progress(String.format("journal: %s filled in %.0f s (%,.0f rows/s)", size, fillSeconds, journalRows / fillSeconds));

    double[] warmAfter = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      warmAfter[round] = warmKeysAfterStart(config, warm, name, warmName, hotName);
    }
    bench.add("journal: restart until warmKeys() lists " + warm + " warm keys, journal of " + size,
        Benchmarks.Measured.of(warmAfter), "the same before the journal was filled", Benchmarks.Measured.of(warmBefore),
        "ms", false);

    int forgotten;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-journal", config);
    try (JournalRows rows = new JournalRows(system, system.settings().config())) {
      CountingPrimer hot = new CountingPrimer(hotName);
      Kck kck = Kck.start(system, new CountingPrimer(name), new CountingPrimer(warmName), hot);
      kck.get(hotName + "/0").toCompletableFuture().get(60, TimeUnit.SECONDS); // sharding is up
      int pageRows = system.settings().config().getInt("kck.retention.sweep-page-rows");
      long cutoff = System.currentTimeMillis() - Duration.ofDays(30).toMillis();
      Benchmarks.Measurement walk = () -> timed(() -> walkAll(rows, key -> Long.MIN_VALUE, pageRows));
      Benchmarks.Measurement former = () -> timed(() -> formerQuery(dataDirectory, name, cutoff, 1000 + warm));
      Benchmarks.Measured[] walks = bench.measureInTurns(walk, former);
      bench.add(String.format("journal: the sweep's walk over every row (pages of %,d rows), journal of %s", pageRows,
          size), walks[0], "the former sweep query (one GROUP BY over the primer's rows)", walks[1], "ms", false);
      bench.progress("journal: walks");

      String[] hotKeys = new String[bench.sizes().hitKeys()];
      for (int i = 0; i < hotKeys.length; i++) {
        hotKeys[i] = hotName + "/" + i;
      }
      Benchmarks.rate(hotKeys.length, 500, i -> kck.get(hotKeys[i]).toCompletableFuture());
      String value = "x".repeat(1000);
      Benchmarks.Measurement hits = () -> bench.ourThroughput(kck, hotKeys, 1, 1000);
      Benchmarks.Measurement puts = () -> bench.writersRate(4, writer -> {
        String key = hotName + "/put-" + writer;
        return () -> kck.put(key, value).toCompletableFuture().join();
      });
      for (String what : List.of("hit, 1 thread, 1,000 in flight", "put, 4 writers, 1 KiB")) {
        Benchmarks.Measurement measured = what.startsWith("hit") ? hits : puts;
        String unit = what.startsWith("hit") ? "gets/s" : "writes/s";
        Benchmarks.Measured[] during = bench.measureInTurns(measured,
            () -> whileRunning(() -> walkAll(rows, key -> Long.MIN_VALUE, pageRows), measured),
            () -> whileRunning(() -> formerQuery(dataDirectory, name, cutoff, 1000 + warm), measured));
        bench.add("journal: " + what + ", while the sweep walks a journal of " + size, during[1],
            "the same, no sweep", during[0], unit, true);
        bench.add("journal: " + what + ", while the former sweep query runs on a journal of " + size, during[2],
            "the same, no sweep", during[0], unit, true);
      }
      bench.progress("journal: hits and puts during sweeps");

      double[] sweeps = new double[rounds];
      double[] formerSweeps = new double[rounds];
      forgotten = 0;
      List<ForgetReport> reports = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        long started = System.nanoTime();
        ForgetReport report = kck.admin().forgetUnused().toCompletableFuture().get(30, TimeUnit.MINUTES);
        sweeps[round] = (System.nanoTime() - started) / 1e6;
        forgotten += report.forgotten();
        reports.add(report);
        formerSweeps[round] = timed(() -> formerQuery(dataDirectory, name, cutoff, 1000 + warm));
      }
      if (forgotten == 0) {
        throw new IllegalStateException("the sweeps forgot no key of a journal half of which is older than 30 days: "
            + reports);
      }
      bench.add("journal: one sweep (forgetUnused(): the walk until max-per-sweep candidates, each forgotten), journal of "
          + size, Benchmarks.Measured.of(sweeps), "the former sweep's query alone", Benchmarks.Measured.of(formerSweeps),
          "ms", false);
    } finally {
      terminate(system);
    }

    // Keys read back are used (a use is journaled), which retention would keep: read back last.
    CountingPrimer journaled = new CountingPrimer(name);
    system = ActorSystem.create(Behaviors.empty(), "bench-journal", config);
    try {
      Kck kck = Kck.start(system, journaled, new CountingPrimer(warmName), new CountingPrimer(hotName));
      kck.get(hotName + "/0").toCompletableFuture().get(60, TimeUnit.SECONDS); // sharding is up
      long heapBefore = bench.usedHeap();
      double recoveryRate = Benchmarks.rate(recoveryKeys, 1000, i -> kck.get(name + "/j" + i).toCompletableFuture());
      long heapAfter = bench.usedHeap();
      if (journaled.computes() > forgotten) {
        throw new IllegalStateException(journaled.computes() + " of " + recoveryKeys + " keys were computed, not"
            + " recovered (" + forgotten + " were forgotten)");
      }
      String recovered = String.format("%,d keys (10 rows each)", recoveryKeys);
      bench.rows().add(new Benchmarks.Row("journal: " + recovered + " read back after a restart, journal of " + size,
          recoveryRate, "", 0, "keys/s", true, String.format("one round; %,d of them forgotten by the sweeps before",
          journaled.computes())));
      bench.rows().add(new Benchmarks.Row("journal: heap after reading back " + recovered + ", after GC, max heap "
          + (Runtime.getRuntime().maxMemory() >> 20) + " MiB", Math.max(0, heapAfter - heapBefore) / 1048576.0, "", 0,
          "MiB", false, "one round"));
      bench.progress("journal: recovery");
    } finally {
      terminate(system);
    }
  }

  /** Fills the event table with copies of the first event of {@code primer}'s key "seed": keys j0, j1, ... */
  private static void fill(String dataDirectory, String primer, long journalRows, long keys) throws Exception {
    String seed = "kck-key|" + primer + "/seed";
    long now = System.currentTimeMillis();
    long chunk = 1_000_000;
    try (Connection connection = EmbeddedAccess.connect(dataDirectory);
        PreparedStatement insert = connection.prepareStatement("INSERT INTO event_journal (persistence_id,"
            + " sequence_number, deleted, writer, write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest,"
            + " event_payload, meta_ser_id, meta_ser_manifest, meta_payload)"
            // key k = g % keys, its rows 1, 2, ...; written up to 60 days ago, by key (a fixed scatter)
            + " SELECT ? || (g % ?), g / ? + 1, false, s.writer, ? - ((g % ?) * 7919 % 5184) * ? - g / ?,"
            + " s.adapter_manifest, s.event_ser_id, s.event_ser_manifest, s.event_payload, s.meta_ser_id,"
            + " s.meta_ser_manifest, s.meta_payload"
            + " FROM generate_series(?, ?) g,"
            + " (SELECT * FROM event_journal WHERE persistence_id = ? ORDER BY sequence_number LIMIT 1) s")) {
      for (long from = 0; from < journalRows; from += chunk) {
        insert.setString(1, "kck-key|" + primer + "/j");
        insert.setLong(2, keys);
        insert.setLong(3, keys);
        insert.setLong(4, now);
        insert.setLong(5, keys);
        insert.setLong(6, DAY / 86); // 5,184 steps of ~1,000 s: 60 days
        insert.setLong(7, keys);
        insert.setLong(8, from);
        insert.setLong(9, Math.min(journalRows, from + chunk) - 1);
        insert.setString(10, seed);
        if (insert.executeUpdate() == 0) {
          throw new IllegalStateException("no event of " + seed + " to copy");
        }
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute("ANALYZE event_journal"); // as autovacuum would, before a sweep an hour later
      }
    }
  }

  /** Milliseconds from an ActorSystem's start until KCK lists {@code warm} warm keys. */
  private static double warmKeysAfterStart(Config config, int warm, String... primers) throws Exception {
    long started = System.nanoTime();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-journal", config);
    try {
      Kck kck = Kck.start(system, Arrays.stream(primers).map(CountingPrimer::new).toArray(Primer<?>[]::new));
      while (kck.warmKeys().toCompletableFuture().get(60, TimeUnit.SECONDS).size() < warm) {
        Thread.sleep(10); // polling the registry, which answers once it has loaded
      }
      return (System.nanoTime() - started) / 1e6;
    } finally {
      terminate(system);
    }
  }

  /** The sweep's walk from the journal's start to its end; the keys it found. */
  private static int walkAll(JournalRows rows, ToLongFunction<String> cutoffOf, int pageRows) {
    int found = 0;
    Optional<JournalPosition> at = Optional.empty();
    do {
      UnwrittenPage page = rows.unwrittenSince(cutoffOf, at, Optional.empty(), 1000, pageRows).toCompletableFuture().join();
      found += page.keys().size();
      at = page.next();
    } while (at.isPresent());
    return found;
  }

  /** The query each sweep ran per primer before the walk (io.kck.persistence.JournalRows, until 2026-12). */
  private static int formerQuery(String dataDirectory, String primer, long cutoff, int limit) {
    String sql = "SELECT persistence_id FROM ("
        + " SELECT persistence_id, max(write_timestamp) AS written FROM event_journal"
        + "  WHERE persistence_id LIKE ? ESCAPE '\\' GROUP BY persistence_id"
        + " UNION ALL"
        + " SELECT persistence_id, max(created) AS written FROM snapshot"
        + "  WHERE persistence_id LIKE ? ESCAPE '\\' GROUP BY persistence_id"
        + ") rows GROUP BY persistence_id HAVING max(written) < ? ORDER BY max(written) LIMIT ?";
    String pattern = ("kck-key|" + primer + "/").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    try (Connection connection = EmbeddedAccess.connect(dataDirectory);
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, pattern);
      statement.setString(2, pattern);
      statement.setLong(3, cutoff);
      statement.setInt(4, limit);
      int found = 0;
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          found++;
        }
      }
      return found;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  interface Work {
    int run() throws Exception;
  }

  private static double timed(Work work) throws Exception {
    long started = System.nanoTime();
    work.run();
    return (System.nanoTime() - started) / 1e6;
  }

  /** {@code measured} while {@code work} runs again and again on a thread of its own. */
  private static double whileRunning(Work work, Benchmarks.Measurement measured) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Thread background = new Thread(() -> {
      while (!stop.get()) {
        try {
          work.run();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }, "bench-background-sweep");
    background.start();
    try {
      return measured.run();
    } finally {
      stop.set(true);
      background.join();
    }
  }

  private static void terminate(ActorSystem<?> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
