package io.kck.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Kck;
import io.kck.KeyResult;
import io.kck.Subscription;
import io.kck.entity.node.Engine;
import io.kck.entity.source.SourceConsumer;
import io.kck.persistence.EmbeddedAccess;
import io.kck.primer.Augment;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.TableSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code sources} case of {@link Benchmarks} (rows beginning {@code source:}): how long from the
 * commit of a source row to the product two levels above it answering the new value, against the
 * same freshness by polling (a periodic primer with a 1 s period), and how many source changes per
 * second the keys apply, against the rate at which the same rows are committed.
 *
 * <p>Products: {@code register/<r>} (augmented by each inserted sale row), {@code store/<s>} (reads
 * its 10 registers), {@code chain/all} (reads every store): the chain is two levels above a register.
 */
final class SourceBench {
  private static final Parameter<Integer> ID = Parameter.ofInt("id");
  private static final int STORES = 10;
  private static final int REGISTERS_PER_STORE = 10;

  private SourceBench() {}

  static List<Benchmarks.Row> run(Config config, String dataDirectory, String run, boolean smoke) throws Exception {
    int samples = smoke ? 5 : 200;
    int pollingSamples = smoke ? 2 : 20;
    int throughputRows = smoke ? 500 : 20_000;
    String table = "bench_sales_" + run;
    try (Connection connection = EmbeddedAccess.connect(dataDirectory); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, register int NOT NULL, cents bigint NOT NULL)");
      statement.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
      statement.execute("INSERT INTO " + table + " (register, cents) SELECT g % " + (STORES * REGISTERS_PER_STORE)
          + ", 100 FROM generate_series(1, 1000) g");
    }
    String prefix = "bench-src-" + run;
    AtomicInteger registerComputes = new AtomicInteger();
    AtomicInteger polledComputes = new AtomicInteger();
    Primer<Long> register = Primer.builder(prefix + "-register", Long.class).parameters(ID)
        .compute((key, context) -> {
          registerComputes.incrementAndGet();
          return sum(dataDirectory, table, "register = " + key.get(ID));
        })
        .augment(Augment.of(Long.class, (Long total, Long cents) -> total + cents))
        .source(TableSource.table(table).keyParameters(row -> List.of(row.getInt("register")))
            .augment(row -> row.getLong("cents"), row -> -row.getLong("cents")))
        .build();
    Primer<Long> store = Primer.builder(prefix + "-store", Long.class).parameters(ID)
        .compute((key, context) -> {
          long total = 0;
          for (int r = 0; r < REGISTERS_PER_STORE; r++) {
            total += context.get(register.key(key.get(ID) * REGISTERS_PER_STORE + r));
          }
          return total;
        }).build();
    Primer<Long> chain = Primer.builder(prefix + "-chain", Long.class).parameters(ID)
        .compute((key, context) -> {
          long total = 0;
          for (int s = 0; s < STORES; s++) {
            total += context.get(store.key(s));
          }
          return total;
        }).build();
    Primer<Long> polled = Primer.builder(prefix + "-polled", Long.class).parameters(ID)
        .compute((key, context) -> {
          polledComputes.incrementAndGet();
          return sum(dataDirectory, table, "true");
        })
        .freshness(Freshness.periodic(Duration.ofSeconds(1))).build();
    Primer<Long> wide = widePrimer(prefix, dataDirectory, run);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-sources",
        ConfigFactory.parseString("kck.sources.slot = kck_bench_" + run + "\nkck.sources.publication = kck_bench_" + run)
            .withFallback(config));
    List<Benchmarks.Row> rows = new ArrayList<>();
    try {
      Kck kck = Kck.start(system, register, store, chain, polled, wide);
      long initial = (Long) kck.get(chain.key(0)).toCompletableFuture().get(2, TimeUnit.MINUTES);
      kck.get(polled.key(0)).toCompletableFuture().get(1, TimeUnit.MINUTES);
      AtomicReference<long[]> seen = new AtomicReference<>(new long[] {initial, System.nanoTime()});
      Subscription watching = kck.subscribe(chain.key(0), entry -> seen.set(new long[] {entry.value(), System.nanoTime()}));
      AtomicReference<long[]> seenPolled = new AtomicReference<>(new long[] {0, 0});
      Subscription watchingPolled = kck.subscribe(polled.key(0),
          entry -> seenPolled.set(new long[] {entry.value(), System.nanoTime()}));

      AtomicReference<long[]> seenRegister = new AtomicReference<>(new long[] {0, 0});
      Subscription watchingRegister = kck.subscribe(register.key(0),
          entry -> seenRegister.set(new long[] {entry.version(), System.nanoTime()}));
      int registerComputesBefore = registerComputes.get();
      int polledComputesBefore = polledComputes.get();
      long phaseStarted = System.nanoTime();
      double[] direct = new double[samples];
      double[] latency = new double[samples];
      double[] polling = new double[pollingSamples];
      long expected = initial;
      try (Connection connection = EmbeddedAccess.connect(dataDirectory);
          PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (register, cents) VALUES (?, ?)")) {
        for (int i = 0; i < samples + pollingSamples; i++) {
          insert.setInt(1, i < samples ? 0 : i % (STORES * REGISTERS_PER_STORE));
          insert.setLong(2, 1 + i);
          long registerVersion = seenRegister.get()[0];
          // Isolated commits: one within kck.dependencies.coalesce-window (100 ms) of the last would wait for it.
          Thread.sleep(150);
          insert.executeUpdate(); // autocommit: committed when it returns
          long committed = System.nanoTime();
          expected += 1 + i;
          long want = expected;
          if (i < samples) {
            long at = waitFor(seen, want);
            latency[i] = (at - committed) / 1e6;
            direct[i] = (waitFor(seenRegister, registerVersion + 1) - committed) / 1e6;
          } else {
            long at = waitFor(seenPolled, want);
            polling[i - samples] = (at - committed) / 1e6;
            waitFor(seen, want);
          }
        }
      }
      double phaseMinutes = (System.nanoTime() - phaseStarted) / 60e9;
      int sourceComputes = registerComputes.get() - registerComputesBefore;
      int pollComputes = polledComputes.get() - polledComputesBefore;
      watching.close();
      watchingRegister.close();
      Arrays.sort(direct);
      rows.add(new Benchmarks.Row("source: commit to the key of the row readable (augmented), p50", percentile(direct, 0.5),
          "the same, p99", percentile(direct, 0.99), "ms", false, "n=" + samples));
      watchingPolled.close();
      Arrays.sort(latency);
      Arrays.sort(polling);
      rows.add(new Benchmarks.Row("source: commit to the product two levels up readable, p50 (isolated commits)", percentile(latency, 0.5),
          "polling, periodic 1 s (p50)", percentile(polling, 0.5), "ms", false,
          "n=" + samples + " / n=" + pollingSamples));
      rows.add(new Benchmarks.Row("source: commit to the product two levels up readable, p99 (isolated commits)", percentile(latency, 0.99),
          "polling, periodic 1 s (p99)", percentile(polling, 0.99), "ms", false,
          "n=" + samples + " / n=" + pollingSamples));

      rows.add(new Benchmarks.Row("source: staleness, mean (commit to the product two levels up readable)", mean(latency),
          "polling, periodic 1 s (mean)", mean(polling), "ms", false, "n=" + samples + " / n=" + pollingSamples));
      rows.add(new Benchmarks.Row("source: computes per minute to stay that fresh (the 100 registers, augmented)",
          sourceComputes / phaseMinutes, "polling, periodic 1 s (one key)", pollComputes / phaseMinutes, "computes/min",
          false, String.format(java.util.Locale.ROOT, "over %.1f min", phaseMinutes)));

      // Throughput: rows committed in transactions of 100 over all registers; the keys apply each as a delta.
      SourceConsumer consumer = Engine.on(system).sources().consumer().orElseThrow();
      long started = System.nanoTime();
      long lastLsn = 0;
      try (Connection connection = EmbeddedAccess.connect(dataDirectory);
          PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (register, cents) VALUES (?, ?)")) {
        connection.setAutoCommit(false);
        for (int i = 0; i < throughputRows; i++) {
          insert.setInt(1, i % (STORES * REGISTERS_PER_STORE));
          insert.setLong(2, 1);
          insert.addBatch();
          if ((i + 1) % 100 == 0) {
            insert.executeBatch();
            lastLsn = lsn(connection);
            connection.commit();
          }
        }
      }
      double committedSeconds = (System.nanoTime() - started) / 1e9;
      long target = lastLsn;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (Long.compareUnsigned(consumer.confirmedLsn(), target) <= 0 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      double appliedSeconds = (System.nanoTime() - started) / 1e9;
      rows.add(new Benchmarks.Row("source: row changes applied per second (augment, " + STORES * REGISTERS_PER_STORE
          + " keys, 100 rows per commit)", throughputRows / appliedSeconds, "the same rows committed with JDBC",
          throughputRows / committedSeconds, "changes/s", true, "n=" + throughputRows));
      rows.addAll(sustained(system, kck, wide, dataDirectory, run, smoke));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    return rows;
  }

  private static final AtomicInteger wideComputes = new AtomicInteger();

  /**
   * {@code wide/<k>}: the sum of its rows of bench_wide_*, augmented by each inserted row. Computed
   * in batches (one query for a batch of keys), as an application warming 100,000 keys would.
   */
  private static Primer<Long> widePrimer(String prefix, String dataDirectory, String run) throws SQLException {
    String table = "bench_wide_" + run;
    try (Connection connection = EmbeddedAccess.connect(dataDirectory); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE " + table + " (id bigserial PRIMARY KEY, k int NOT NULL, cents bigint NOT NULL)");
      statement.execute("CREATE INDEX ON " + table + " (k)");
      statement.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
    }
    return Primer.builder(prefix + "-wide", Long.class).parameters(ID)
        .computeAll(batch -> {
          wideComputes.addAndGet(batch.keys().size());
          Map<Integer, Key<Long>> byId = new HashMap<>();
          batch.keys().forEach(key -> byId.put(key.get(ID), key));
          Map<Integer, Long> sums = new HashMap<>();
          try (Connection connection = EmbeddedAccess.connect(dataDirectory);
              PreparedStatement select = connection.prepareStatement(
                  "SELECT k, sum(cents) FROM " + table + " WHERE k = ANY(?) GROUP BY k")) {
            select.setArray(1, connection.createArrayOf("int4", byId.keySet().toArray()));
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                sums.put(rows.getInt(1), rows.getLong(2));
              }
            }
          }
          byId.forEach((id, key) -> batch.complete(key, sums.getOrDefault(id, 0L)));
        })
        .augment(Augment.of(Long.class, (Long total, Long cents) -> total + cents))
        .source(TableSource.table(table).keyParameters(row -> List.of(row.getInt("k")))
            .augment(row -> row.getLong("cents"), row -> -row.getLong("cents")))
        .build();
  }

  /**
   * 10,000 source row changes per second (1,000 in a smoke run) offered for 30 s (2 s) over
   * 100,000 computed keys (1,000): transactions of 100 inserts, each of a random key, paced. Rows:
   * the rate applied against the rate offered, the lag from each commit to the slot confirmed past it
   * (every key of it journaled), and the recomputes it caused (none: augment).
   */
  private static List<Benchmarks.Row> sustained(ActorSystem<Void> system, Kck kck, Primer<Long> wide,
      String dataDirectory, String run, boolean smoke) throws Exception {
    int keys = smoke ? 1_000 : 100_000;
    int perSecond = smoke ? 1_000 : 10_000;
    int seconds = smoke ? 2 : 30;
    int perCommit = 100;
    String table = "bench_wide_" + run;
    // Every key computed (and journaled) first: a change to a key nobody computed is skipped.
    long warmStarted = System.nanoTime();
    for (int from = 0; from < keys; from += 1_000) {
      List<Key<Long>> chunk = new ArrayList<>();
      for (int k = from; k < Math.min(keys, from + 1_000); k++) {
        chunk.add(wide.key(k));
      }
      for (KeyResult<Long> result : kck.getAll(chunk).toCompletableFuture().get(5, TimeUnit.MINUTES)) {
        if (!result.ok()) {
          throw new IllegalStateException("Warming " + result.key() + " failed", result.error());
        }
      }
    }
    double warmSeconds = (System.nanoTime() - warmStarted) / 1e9;
    int computesBefore = wideComputes.get();
    SourceConsumer consumer = Engine.on(system).sources().consumer().orElseThrow();
    java.util.concurrent.ConcurrentLinkedQueue<long[]> committed = new java.util.concurrent.ConcurrentLinkedQueue<>();
    List<Double> lags = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread watcher = new Thread(() -> {
      while (writing.get() || !committed.isEmpty()) {
        long confirmed = consumer.confirmedLsn();
        long now = System.nanoTime();
        for (long[] commit = committed.peek(); commit != null && Long.compareUnsigned(confirmed, commit[0]) > 0;
            commit = committed.peek()) {
          committed.poll();
          if (commit[2] == 1) {
            lags.add((now - commit[1]) / 1e6);
          }
        }
        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
      }
    }, "bench-source-lag");
    watcher.setDaemon(true);
    watcher.start();
    java.util.Random random = new java.util.Random(7);
    long commitEveryNanos = TimeUnit.SECONDS.toNanos(1) * perCommit / perSecond;
    long commits = (long) seconds * perSecond / perCommit;
    long tail = TimeUnit.SECONDS.toNanos(1) / commitEveryNanos; // unmeasured: confirms the last measured ones
    long started = System.nanoTime();
    long measuredEnd = started;
    try (Connection connection = EmbeddedAccess.connect(dataDirectory);
        PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " (k, cents) VALUES (?, 1)")) {
      connection.setAutoCommit(false);
      for (long c = 0; c < commits + tail; c++) {
        long due = started + c * commitEveryNanos;
        while (System.nanoTime() < due) {
          java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
        }
        for (int i = 0; i < perCommit; i++) {
          insert.setInt(1, random.nextInt(keys));
          insert.addBatch();
        }
        insert.executeBatch();
        long lsn = lsn(connection);
        connection.commit();
        committed.add(new long[] {lsn, System.nanoTime(), c < commits ? 1 : 0});
        if (c == commits - 1) {
          measuredEnd = System.nanoTime();
        }
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (committed.size() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    writing.set(false);
    watcher.join(10_000);
    double offered = commits * perCommit / ((measuredEnd - started) / 1e9);
    double[] sorted;
    synchronized (lags) {
      sorted = lags.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
    double lastLag = sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    double applied = sorted.length * (double) perCommit / ((measuredEnd - started) / 1e9 + lastLag / 1e3);
    String where = String.format(java.util.Locale.ROOT, "%,d keys, %d s, %d rows per commit", keys, seconds, perCommit);
    List<Benchmarks.Row> rows = new ArrayList<>();
    rows.add(new Benchmarks.Row("source: row changes applied per second, " + perSecond + "/s offered over " + keys
        + " keys (augment)", applied, "offered", offered, "changes/s", true, where));
    rows.add(new Benchmarks.Row("source: the same, commit to every key of it journaled (slot confirmable), p99",
        sorted.length == 0 ? Double.NaN : percentile(sorted, 0.99), "p50",
        sorted.length == 0 ? Double.NaN : percentile(sorted, 0.5), "ms", false, "n=" + sorted.length + " commits"));
    rows.add(new Benchmarks.Row("source: the same, warming the keys first (batch computes through getAll)",
        keys / warmSeconds, "", 0, "keys/s", true, where));
    rows.add(new Benchmarks.Row("source: the same, recomputes", wideComputes.get() - computesBefore, "", 0, "computes",
        false, where));
    return rows;
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }

  private static long waitFor(AtomicReference<long[]> seen, long value) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (seen.get()[0] < value) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the product did not reach " + value + " (at " + seen.get()[0] + ")");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000);
    }
    return seen.get()[1];
  }

  private static double percentile(double[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)];
  }

  private static long sum(String dataDirectory, String table, String where) throws SQLException {
    try (Connection connection = EmbeddedAccess.connect(dataDirectory); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT coalesce(sum(cents), 0) FROM " + table + " WHERE " + where)) {
      row.next();
      return row.getLong(1);
    }
  }

  private static long lsn(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")) {
      row.next();
      return row.getLong(1);
    }
  }
}
