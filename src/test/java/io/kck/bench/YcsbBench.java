package io.kck.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Kck;
import io.kck.persistence.EmbeddedAccess;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@code ycsb} case of {@link Benchmarks} (rows beginning {@code ycsb:}), after YCSB's core
 * workloads B (95% reads, 5% updates) and A (50% / 50%): {@code kck.bench.ycsb.keys} keys
 * (1,000,000; fewer for a check), each a row of one PostgreSQL table, requested with YCSB's scrambled
 * Zipfian popularity (constant 0.99) by {@code kck.bench.ycsb.threads} client threads (16), each
 * doing one operation after the other, as YCSB's clients do.
 *
 * <p>KCK: a primer whose compute reads the key's row; a get is {@code Kck.get}, a put {@code
 * Kck.put} (journaled). Baseline: a Caffeine {@code LoadingCache} in front of the same table, loading
 * a missing row with the same query, written through on put (an autocommit upsert, then the cache).
 * Both share one pool of connections for their reads of the table. Each system runs a warm-up and
 * then a measured window per mix; the rows give throughput, p50 and p99 of each operation, and the
 * heap held after the runs (after a GC, above what was used before the system started).
 *
 * <p>Then the cost of a cluster: the same mixes on three nodes in this JVM (one ActorSystem each,
 * Artery on loopback, the primer's near cache on, client thread {@code t} using node {@code t % 3}),
 * beside KCK on one node from the same run ({@code kck.bench.ycsb.cluster = off} leaves it out).
 */
final class YcsbBench {
  private static final Parameter<Long> ID = Parameter.ofLong("id");

  private YcsbBench() {}

  /** One system under test: a get and a put of the key numbered {@code id}. */
  private interface Store {
    void get(long id) throws Exception;

    void put(long id, String value) throws Exception;
  }

  /** What one window of one mix measured. */
  private record Result(double opsPerSecond, double getP50, double getP99, double putP50, double putP99) {}

  static List<Benchmarks.Row> run(Config config, String dataDirectory, String run, boolean smoke) throws Exception {
    long keys = Long.getLong("kck.bench.ycsb.keys", smoke ? 10_000 : 1_000_000);
    int threads = Integer.getInteger("kck.bench.ycsb.threads", 16);
    long warmUpMillis = Long.getLong("kck.bench.ycsb.warm-up-ms", smoke ? 300 : 10_000);
    long windowMillis = Long.getLong("kck.bench.ycsb.window-ms", smoke ? 1_000 : 20_000); // puts too in a smoke run
    String table = "bench_ycsb_" + run;
    try (Connection connection = EmbeddedAccess.connect(dataDirectory); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, value text NOT NULL)");
      statement.execute("INSERT INTO " + table + " SELECT g, md5(g::text) FROM generate_series(0, " + (keys - 1) + ") g");
      statement.execute("ANALYZE " + table);
    }
    BlockingQueue<Connection> pool = new ArrayBlockingQueue<>(16);
    for (int i = 0; i < 16; i++) {
      pool.add(EmbeddedAccess.connect(dataDirectory));
    }
    Zipfian popularity = new Zipfian(keys);
    double[][] mixes = {{0.95, 0.05}, {0.5, 0.5}};
    String[] mixNames = {"95% gets / 5% puts", "50% gets / 50% puts"};
    Result[][] results = new Result[2][mixes.length]; // [0]: KCK, [1]: the baseline
    Result[] clustered = new Result[mixes.length];
    boolean cluster = Boolean.parseBoolean(System.getProperty("kck.bench.ycsb.cluster", "true"));
    long[] heap = new long[2];
    try {
      // The baseline first, then KCK, each alone in the JVM's heap.
      long before = usedHeapAfterGc();
      LoadingCache<Long, String> cache = Caffeine.newBuilder().executor(Runnable::run).build(id -> read(pool, table, id));
      Store caffeine = new Store() {
        @Override
        public void get(long id) {
          cache.get(id);
        }

        @Override
        public void put(long id, String value) throws SQLException {
          write(pool, table, id, value);
          cache.put(id, value);
        }
      };
      for (int mix = 0; mix < mixes.length; mix++) {
        results[1][mix] = mix(caffeine, popularity, threads, mixes[mix][0], warmUpMillis, windowMillis);
      }
      heap[1] = usedHeapAfterGc() - before;
      cache.invalidateAll();
      cache.cleanUp();

      before = usedHeapAfterGc();
      Primer<String> rows = Primer.builder("bench-ycsb-" + run, String.class).parameters(ID)
          .compute((key, context) -> read(pool, table, key.get(ID))).build();
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-ycsb", config);
      try {
        Kck kck = Kck.start(system, rows);
        Store ours = new Store() {
          @Override
          public void get(long id) throws Exception {
            kck.get(rows.key(id)).toCompletableFuture().get(2, TimeUnit.MINUTES);
          }

          @Override
          public void put(long id, String value) throws Exception {
            kck.put(rows.key(id), value).toCompletableFuture().get(2, TimeUnit.MINUTES);
          }
        };
        for (int mix = 0; mix < mixes.length; mix++) {
          results[0][mix] = mix(ours, popularity, threads, mixes[mix][0], warmUpMillis, windowMillis);
        }
        heap[0] = usedHeapAfterGc() - before;
      } finally {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
      }
      if (cluster) {
        String primer = "bench-ycsb3-" + run;
        try (ThreeNodes nodes = ThreeNodes.start("bench-ycsb3", ConfigFactory.parseString(
            "kck.primers.\"" + primer + "\".near-cache = on").withFallback(config),
            () -> List.of(Primer.builder(primer, String.class).parameters(ID)
                .compute((key, context) -> read(pool, table, key.get(ID))).build()))) {
          List<Store> stores = new ArrayList<>();
          for (Kck node : nodes.kcks()) {
            stores.add(new Store() {
              @Override
              public void get(long id) throws Exception {
                node.get(primer + "/" + id).toCompletableFuture().get(2, TimeUnit.MINUTES);
              }

              @Override
              public void put(long id, String value) throws Exception {
                node.put(primer + "/" + id, value).toCompletableFuture().get(2, TimeUnit.MINUTES);
              }
            });
          }
          for (int mix = 0; mix < mixes.length; mix++) {
            clustered[mix] = mix(stores, popularity, threads, mixes[mix][0], warmUpMillis, windowMillis);
          }
        }
      }
    } finally {
      for (Connection connection : pool) {
        connection.close();
      }
    }
    List<Benchmarks.Row> out = new ArrayList<>();
    String baseline = "Caffeine in front of the table, written through on put";
    String of = String.format(", %,d keys, Zipfian, %d threads", keys, threads);
    for (int mix = 0; mix < mixes.length; mix++) {
      Result ours = results[0][mix];
      Result theirs = results[1][mix];
      String name = "ycsb: " + mixNames[mix] + of;
      out.add(row(name + ", throughput", ours.opsPerSecond(), baseline, theirs.opsPerSecond(), "ops/s", true));
      out.add(row(name + ", get p50", ours.getP50(), baseline, theirs.getP50(), "µs", false));
      out.add(row(name + ", get p99", ours.getP99(), baseline, theirs.getP99(), "µs", false));
      out.add(row(name + ", put p50", ours.putP50(), baseline, theirs.putP50(), "µs", false));
      out.add(row(name + ", put p99", ours.putP99(), baseline, theirs.putP99(), "µs", false));
    }
    for (int mix = 0; mix < mixes.length && cluster; mix++) {
      Result three = clustered[mix];
      Result one = results[0][mix];
      String name = "ycsb: " + mixNames[mix] + of + ", 3 nodes (near cache on)";
      String oneNode = "KCK on one node (this run)";
      out.add(row(name + ", throughput", three.opsPerSecond(), oneNode, one.opsPerSecond(), "ops/s", true));
      out.add(row(name + ", get p50", three.getP50(), oneNode, one.getP50(), "µs", false));
      out.add(row(name + ", get p99", three.getP99(), oneNode, one.getP99(), "µs", false));
      out.add(row(name + ", put p50", three.putP50(), oneNode, one.putP50(), "µs", false));
      out.add(row(name + ", put p99", three.putP99(), oneNode, one.putP99(), "µs", false));
    }
    out.add(row("ycsb: heap after GC, held after both mixes" + of, heap[0] / 1048576.0, baseline, heap[1] / 1048576.0,
        "MiB", false));
    return out;
  }

  /** The heap in use once a few collections stopped freeing anything (a measurement, not synchronisation). */
  private static long usedHeapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(100);
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (i >= 2 && now > used - 64 * 1024) {
        return now;
      }
      used = Math.min(used, now);
    }
    return used;
  }

  private static Benchmarks.Row row(String name, double ours, String baseline, double theirs, String unit,
      boolean higherIsBetter) {
    return new Benchmarks.Row(name, ours, baseline, theirs, unit, higherIsBetter, "one round");
  }

  /**
   * {@code threads} clients each doing gets (a share {@code getShare}) and puts of Zipfian keys one
   * after the other: a warm-up, then the measured window.
   */
  private static Result mix(Store store, Zipfian popularity, int threads, double getShare, long warmUpMillis,
      long windowMillis) throws Exception {
    return mix(List.of(store), popularity, threads, getShare, warmUpMillis, windowMillis);
  }

  /** As above, client thread {@code t} using {@code stores.get(t % stores.size())}. */
  private static Result mix(List<Store> stores, Zipfian popularity, int threads, double getShare, long warmUpMillis,
      long windowMillis) throws Exception {
    long warmUpEnds = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(warmUpMillis);
    long windowEnds = warmUpEnds + TimeUnit.MILLISECONDS.toNanos(windowMillis);
    long[][] gets = new long[threads][];
    long[][] puts = new long[threads][];
    int[] getCounts = new int[threads];
    int[] putCounts = new int[threads];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int client = t;
      gets[client] = new long[1 << 16];
      puts[client] = new long[1 << 16];
      Store store = stores.get(t % stores.size());
      Thread thread = new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
          for (long now = System.nanoTime(); now < windowEnds && failure.get() == null; ) {
            long id = popularity.next(random);
            boolean get = random.nextDouble() < getShare;
            long started = System.nanoTime();
            if (get) {
              store.get(id);
            } else {
              store.put(id, "v" + random.nextLong());
            }
            now = System.nanoTime();
            if (started >= warmUpEnds && now <= windowEnds) {
              if (get) {
                gets[client] = add(gets[client], getCounts[client]++, now - started);
              } else {
                puts[client] = add(puts[client], putCounts[client]++, now - started);
              }
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "ycsb-client-" + t);
      clients.add(thread);
      thread.start();
    }
    for (Thread thread : clients) {
      thread.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("A YCSB client failed: " + failure.get(), failure.get());
    }
    long[] allGets = merge(gets, getCounts);
    long[] allPuts = merge(puts, putCounts);
    double ops = (allGets.length + allPuts.length) / (windowMillis / 1000.0);
    return new Result(ops, micros(allGets, 0.5), micros(allGets, 0.99), micros(allPuts, 0.5), micros(allPuts, 0.99));
  }

  private static long[] add(long[] samples, int index, long nanos) {
    long[] into = index < samples.length ? samples : Arrays.copyOf(samples, samples.length * 2);
    into[index] = nanos;
    return into;
  }

  private static long[] merge(long[][] samples, int[] counts) {
    long[] all = new long[Arrays.stream(counts).sum()];
    int at = 0;
    for (int i = 0; i < samples.length; i++) {
      System.arraycopy(samples[i], 0, all, at, counts[i]);
      at += counts[i];
    }
    Arrays.sort(all);
    return all;
  }

  private static double micros(long[] sorted, double quantile) {
    return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * quantile) - 1)] / 1000.0;
  }

  private static String read(BlockingQueue<Connection> pool, String table, long id) throws Exception {
    Connection connection = pool.take();
    try (PreparedStatement select = connection.prepareStatement("SELECT value FROM " + table + " WHERE id = ?")) {
      select.setLong(1, id);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          throw new IllegalStateException("no row " + id + " in " + table);
        }
        return row.getString(1);
      }
    } finally {
      pool.add(connection);
    }
  }

  private static void write(BlockingQueue<Connection> pool, String table, long id, String value) throws SQLException {
    Connection connection;
    try {
      connection = pool.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException(e);
    }
    try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + table
        + " (id, value) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET value = excluded.value")) {
      upsert.setLong(1, id);
      upsert.setString(2, value);
      upsert.executeUpdate();
    } finally {
      pool.add(connection);
    }
  }

  /**
   * YCSB's scrambled Zipfian generator (Gray et al., "Quickly generating billion-record synthetic
   * databases", constant 0.99), its item hashed with FNV-1a so that the popular keys are spread over
   * the key space rather than being its first ids, as in YCSB's core workloads.
   */
  static final class Zipfian {
    private static final double THETA = 0.99;
    private final long items;
    private final double alpha;
    private final double zetan;
    private final double eta;

    Zipfian(long items) {
      this.items = items;
      this.zetan = zeta(items);
      double zeta2 = zeta(2);
      this.alpha = 1.0 / (1.0 - THETA);
      this.eta = (1 - Math.pow(2.0 / items, 1 - THETA)) / (1 - zeta2 / zetan);
    }

    private static double zeta(long n) {
      double sum = 0;
      for (long i = 1; i <= n; i++) {
        sum += 1 / Math.pow(i, THETA);
      }
      return sum;
    }

    long next(ThreadLocalRandom random) {
      double u = random.nextDouble();
      double uz = u * zetan;
      long rank;
      if (uz < 1.0) {
        rank = 0;
      } else if (uz < 1.0 + Math.pow(0.5, THETA)) {
        rank = 1;
      } else {
        rank = (long) (items * Math.pow(eta * u - eta + 1, alpha));
      }
      return Math.floorMod(fnv(Math.min(rank, items - 1)), items);
    }

    private static long fnv(long value) {
      long hash = 0xCBF29CE484222325L;
      for (int i = 0; i < 8; i++) {
        hash ^= value & 0xff;
        hash *= 0x100000001B3L;
        value >>>= 8;
      }
      return hash;
    }
  }
}
