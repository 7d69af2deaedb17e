package io.kck.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Kck;
import io.kck.testing.CountingPrimer;
import io.kck.testing.GraphPrimer;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * The benchmark suite: every figure beside a baseline measured in the same run, as medians of
 * several rounds (these machines are shared and noisy, so ratios matter more than absolutes).
 *
 * <p>Full run (about 5 minutes on 2 cores):
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=io.kck.bench.Benchmarks</pre>
 *
 * Caffeine, the baseline, runs its loads on the calling thread ({@code executor(Runnable::run)}):
 * its fastest configuration, where its default (the JDK common pool, a single thread on 2 cores)
 * would handicap it.
 *
 * <p>{@code -Dkck.bench.cases=hit,single-flight,cold-miss,persistence,propagation,augment,recovery,sources,batch,ycsb}
 * runs some cases only ({@code ycsb}: see {@link YcsbBench}, {@code -Dkck.bench.ycsb.keys=10000} for a check);
 * {@code journal} (background work on a journal of 10,000,000 rows, see {@link JournalBench}) runs only when named;
 * {@code -Dkck.bench.config="akka.persistence.max-concurrent-recoveries = 200"} adds HOCON.
 *
 * <p>Smoke run (seconds; the test suite runs it so the harness cannot rot): add {@code
 * -Dkck.bench.smoke=true}. The database is an embedded PostgreSQL in {@code target/kck-bench-postgres},
 * durable (fsync on) like the default configuration, and empty at the start of each run: a journal
 * grown over many runs (12 GB once) made the figures depend on how many runs came before.
 */
public final class Benchmarks {

  /** How big and how long. */
  public record Sizes(
      boolean smoke, int rounds, Duration window, int hitKeys, int coldKeys, int recoveryKeys, int memoryKeys,
      int updatesPerRound, int fanOut, int bigElements, int[] writers, int singleFlightGets, int coldInFlight) {
    static final Sizes FULL = new Sizes(false, 5, Duration.ofSeconds(2), 10_000, 5_000, 100_000, 20_000, 15, 1000,
        1_000_000, new int[] {1, 4, 64}, 10_000, 1_000);
    static final Sizes SMOKE = new Sizes(true, 1, Duration.ofMillis(100), 200, 100, 500, 500, 2, 20, 1000,
        new int[] {1, 4}, 1_000, 100);
  }

  /** One line of the table. */
  public record Row(String name, double ours, String baselineName, double baseline, String unit,
      boolean higherIsBetter, String spread) {
    double ratio() {
      return baseline == 0 ? Double.NaN : ours / baseline;
    }
  }

  private final Sizes sizes;
  private final PrintStream out;
  private final List<Row> rows = new ArrayList<>();
  private static final String DATA_DIRECTORY = "target/kck-bench-postgres";

  Benchmarks(Sizes sizes, PrintStream out) {
    this.sizes = sizes;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    boolean smoke = Boolean.getBoolean("kck.bench.smoke");
    Sizes sizes = smoke ? Sizes.SMOKE : Sizes.FULL;
    String writers = System.getProperty("kck.bench.writers", "");
    if (!writers.isBlank()) { // e.g. 1 alone, for a profile of one writer's put
      sizes = new Sizes(sizes.smoke(), sizes.rounds(), sizes.window(), sizes.hitKeys(), sizes.coldKeys(),
          sizes.recoveryKeys(), sizes.memoryKeys(), sizes.updatesPerRound(), sizes.fanOut(), sizes.bigElements(),
          java.util.Arrays.stream(writers.split(",")).mapToInt(w -> Integer.parseInt(w.trim())).toArray(),
          sizes.singleFlightGets(), sizes.coldInFlight());
    }
    Benchmarks benchmarks = new Benchmarks(sizes, System.out);
    benchmarks.runAll();
    benchmarks.printTable();
    System.exit(0); // the embedded PostgreSQL stops with the JVM
  }

  public static List<Row> smoke(PrintStream out) throws Exception {
    Benchmarks benchmarks = new Benchmarks(Sizes.SMOKE, out);
    benchmarks.runAll();
    benchmarks.printTable();
    return benchmarks.rows;
  }

  void runAll() throws Exception {
    deleteDirectory(java.nio.file.Path.of(DATA_DIRECTORY));
    // The library's own defaults (reference.conf), as an application runs them: none of the tests'
    // settings (serialize-messages = on serializes every local message, ~1 ms per propagation
    // level), a durable embedded PostgreSQL. Only what a one-node application must set is added.
    Config config = ConfigFactory.load(ConfigFactory.parseString(System.getProperty("kck.bench.config", "") + """

        akka.loglevel = ERROR
        akka.loggers = ["akka.event.slf4j.Slf4jLogger"]
        akka.logging-filter = "akka.event.slf4j.Slf4jLoggingFilter"
        akka.actor.provider = cluster
        akka.remote.artery.canonical.hostname = "127.0.0.1"
        akka.remote.artery.canonical.port = 0
        akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        kck.database.embedded.data-directory = "%s"
        kck.database.embedded.durable = on
        # One server for the harness's many ActorSystems, as one application JVM that restarts its
        # system keeps one (measured paths are the same either way; a restart would be measured too).
        kck.database.embedded.stop-with-system = off
        kck.sharding.passivation.default-idle-strategy.idle-entity.timeout = 10m
        # A baseline, not KCK's: Akka Persistence JDBC's own plugins on KCK's database and tables.
        kck-bench.jdbc-journal = ${jdbc-journal} { use-shared-db = "kck" }
        kck-bench.jdbc-snapshot-store = ${jdbc-snapshot-store} { use-shared-db = "kck" }
        """.formatted(DATA_DIRECTORY)));
    String run = Long.toString(System.currentTimeMillis(), 36);
    TracedRound.startRecorder(); // before any measured round, for the traced ones (see there)

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", config);
    try {
      CountingPrimer primer = new CountingPrimer("bench-" + run);
      GraphPrimer source = new GraphPrimer("bench-source-" + run, (id, context) -> "0");
      GraphPrimer dependent = new GraphPrimer("bench-dependent-" + run, (id, context) -> {
        int level = id.contains("-") ? Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)) : 0;
        String chain = id.contains("-") ? id.substring(0, id.lastIndexOf('-')) : id;
        // chain-k reads chain-(k-1); chain-0 (and a plain id) reads the source.
        return level == 0
            ? context.get(source.key(chain)) + "'"
            : context.get("bench-dependent-" + run + "/" + chain + "-" + (level - 1)) + "'";
      });
      GraphPrimer fanned = new GraphPrimer("bench-fan-" + run, (id, context) -> context.get(source.key("fan")) + "'");
      BigProduct big = new BigProduct("bench-big-" + run, sizes.bigElements());
      ChunkedProduct chunked = new ChunkedProduct("bench-chunked-" + run, sizes.bigElements());
      Kck kck = Kck.start(system, primer, source, dependent, fanned, big, chunked);
      if (selected("hit")) {
        hits(kck, primer);
        progress("hits");
      }
      if (selected("single-flight")) {
        singleFlight(kck, primer);
        progress("single flight");
      }
      if (selected("cold-miss")) {
        coldMiss(kck, primer, config);
        progress("cold miss");
      }
      if (selected("persistence")) {
        persistence(system, kck, primer, config.getInt("kck.database.pool.max-connections"));
        progress("persistence");
      }
      if (selected("propagation")) {
        propagation(kck, source, dependent, fanned, config);
        progress("propagation");
      }
      if (selected("augment")) {
        augment(kck, big, chunked);
        progress("augment");
      }
    } finally {
      terminate(system);
    }
    if (selected("single-flight")) {
      singleFlightOnThreeNodes(config, run);
      progress("single flight on three nodes");
    }
    if (selected("recovery")) {
      recoveryAndMemory(config, run);
      progress("recovery and memory");
    }
    if (selected("near")) {
      nearCache(config, run);
      progress("near cache");
    }
    if (selected("scale")) {
      scale(config, run);
      progress("scale");
    }
    if (selected("batch")) {
      rows.addAll(BatchBench.run(config, DATA_DIRECTORY, run, sizes.smoke(), sizes.rounds()));
      progress("batch");
    }
    if (selected("sources")) {
      rows.addAll(SourceBench.run(config, DATA_DIRECTORY, run, sizes.smoke()));
      progress("sources");
    }
    if (selected("ycsb")) {
      rows.addAll(YcsbBench.run(config, DATA_DIRECTORY, run, sizes.smoke()));
      progress("ycsb");
    }
    if (named("journal") || sizes.smoke()) { // minutes to fill: only when asked for (smoke: a small journal)
      JournalBench.run(this, config, DATA_DIRECTORY, run);
      progress("journal");
    }
  }

  // ---- scale -----------------------------------------------------------------------------

  /**
   * Many more keys than live actors: 200,000 keys touched (computed and journaled), then every one
   * read again. Run with the heap the row names, e.g. {@code MAVEN_OPTS=-Xmx512m}. The live keys
   * are bounded by kck.entity.max-live = 20,000 (~5 KB each: the default 100,000 alone would fill
   * 512 MiB); the others stay ready in the read tier (kck.read-tier.max-weight, 64 MiB).
   */
  private void scale(Config config, String run) throws Exception {
    int n = sizes.smoke() ? 1_000 : 200_000;
    CountingPrimer primer = new CountingPrimer("bench-scale-" + run);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-scale",
        ConfigFactory.parseString("kck.entity.max-live = " + (sizes.smoke() ? 200 : 20_000)).withFallback(config));
    try {
      Kck kck = Kck.start(system, primer);
      long base = usedHeap();
      rate(n, 1000, i -> kck.get(primer.name() + "/" + i).toCompletableFuture());
      long touched = usedHeap();
      int atOnce = 0;
      List<CompletableFuture<Object>> asked = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        CompletableFuture<Object> get = kck.get(primer.name() + "/" + i).toCompletableFuture();
        if (get.isDone()) {
          atOnce++;
          get.join();
        } else {
          asked.add(get);
        }
        if (asked.size() == 1000) {
          CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
          asked.clear();
        }
      }
      CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      if (primer.computes() != n) {
        throw new IllegalStateException(primer.computes() + " computes for " + n + " keys: a key was recomputed");
      }

      AsyncLoadingCache<String, Object> caffeine = Caffeine.newBuilder().executor(Runnable::run).buildAsync(k -> "value of " + k);
      long cacheBase = usedHeap();
      for (int i = 0; i < n; i++) {
        caffeine.get(primer.name() + "/" + i).join();
      }
      long cacheUsed = usedHeap() - cacheBase;
      String keys = String.format("%,d", n);
      long maxHeap = Runtime.getRuntime().maxMemory() >> 20;
      rows.add(new Row("scale: " + keys + " keys touched, heap after GC, max heap " + maxHeap + " MiB",
          Math.max(0, touched - base) / 1048576.0, "Caffeine holding the same values", cacheUsed / 1048576.0, "MiB", false,
          "one round"));
      rows.add(new Row("scale: " + keys + " keys read again, answered at once (read tier or live key)",
          100.0 * atOnce / n, "Caffeine, unbounded", 100.0, "%", true, "one round"));
      if (caffeine.synchronous().estimatedSize() != n) {
        throw new IllegalStateException("the baseline cache lost entries");
      }
    } finally {
      terminate(system);
    }
  }

  // ---- near cache ------------------------------------------------------------------------

  /**
   * Two nodes: gets through the node that does not own the keys of a primer with near-cache on,
   * beside Caffeine; and how long after a put acknowledged on the owner the other node answers the
   * new value, beside the same for a primer without near cache (every get there asks the owner).
   */
  private void nearCache(Config config, String run) throws Exception {
    CountingPrimer near = new CountingPrimer("bench-near-" + run);
    CountingPrimer asked = new CountingPrimer("bench-asked-" + run);
    Config nodeConfig = ConfigFactory.parseString("kck.primers.\"" + near.name() + "\".near-cache = on")
        .withFallback(config);
    ActorSystem<Void> owner = ActorSystem.create(Behaviors.empty(), "bench-near", nodeConfig);
    ActorSystem<Void> other = null;
    try {
      Kck owning = Kck.start(owner, near, asked);
      int n = sizes.hitKeys();
      // Made before the second node joins, so that their shards are allocated to this one.
      rate(n, 500, i -> owning.get(near.name() + "/" + i).toCompletableFuture());
      rate(n, 500, i -> owning.get(asked.name() + "/" + i).toCompletableFuture());
      String seed = akka.cluster.typed.Cluster.get(owner).selfMember().address().toString();
      other = ActorSystem.create(Behaviors.empty(), "bench-near",
          ConfigFactory.parseString("kck.cluster.seed-nodes = \"" + seed + "\"").withFallback(nodeConfig));
      Kck reading = Kck.start(other, new CountingPrimer(near.name()), new CountingPrimer(asked.name()));
      reading.get(near.name() + "/0").toCompletableFuture().get(60, TimeUnit.SECONDS); // it has joined
      java.util.Set<String> ownedThere = new java.util.HashSet<>(owning.admin().liveKeys().toCompletableFuture()
          .get(60, TimeUnit.SECONDS));
      // Keys the first node still owns (a rebalance may move shards to the second).
      String[] keys = java.util.stream.IntStream.range(0, n).mapToObj(i -> near.name() + "/" + i)
          .filter(ownedThere::contains).toArray(String[]::new);
      String[] askedKeys = java.util.stream.IntStream.range(0, n).mapToObj(i -> asked.name() + "/" + i)
          .filter(ownedThere::contains).toArray(String[]::new);
      if (keys.length < n / 4 || askedKeys.length < n / 4) {
        throw new IllegalStateException("the first node owns only " + keys.length + " and " + askedKeys.length
            + " of " + n + " keys");
      }
      rate(keys.length, 500, i -> reading.get(keys[i]).toCompletableFuture());
      for (String key : keys) {
        if (!reading.get(key).toCompletableFuture().isDone()) {
          throw new IllegalStateException(key + " is not answered from the other node's near cache");
        }
      }
      AsyncLoadingCache<String, Object> caffeine = Caffeine.newBuilder().executor(Runnable::run).buildAsync(k -> "value of " + k);
      for (String key : keys) {
        caffeine.get(key).join();
      }
      Measured[] turns = measureInTurns(
          () -> loopThroughput(1, key -> reading.get(key).toCompletableFuture().join(), keys),
          () -> loopThroughput(1, key -> caffeine.get(key).join(), keys));
      add("hit on a non-owner node, near cache", turns[0], "Caffeine AsyncLoadingCache.get", turns[1], "gets/s", true);

      // A put on the owner, then gets on the other node until one answers the put's version.
      double[][] nearLag = putUntilSeen(owning, reading, keys);
      double[][] askLag = putUntilSeen(owning, reading, askedKeys);
      add("near cache: put on the owner until the other node answers it, p50", Measured.of(nearLag[0]),
          "the same, primer without near cache (every get asks)", Measured.of(askLag[0]), "ms", false);
      add("near cache: put on the owner until the other node answers it, p99", Measured.of(nearLag[1]),
          "the same, primer without near cache (every get asks)", Measured.of(askLag[1]), "ms", false);
    } finally {
      if (other != null) {
        terminate(other);
      }
      terminate(owner);
    }
  }

  /** Per round: the p50 and p99 of the time from an acknowledged put on {@code writer} until {@code reader} answers it. */
  private double[][] putUntilSeen(Kck writer, Kck reader, String[] keys) throws Exception {
    int samples = sizes.smoke() ? 10 : 200;
    double[] p50 = new double[sizes.rounds()];
    double[] p99 = new double[sizes.rounds()];
    for (int round = 0; round < sizes.rounds(); round++) {
      double[] lag = new double[samples];
      for (int i = 0; i < samples; i++) {
        String key = keys[(round * samples + i) % keys.length];
        String value = "put " + round + "-" + i;
        reader.get(key).toCompletableFuture().get(10, TimeUnit.SECONDS); // the reader has it (a copy, if near)
        writer.put(key, value).toCompletableFuture().get(10, TimeUnit.SECONDS);
        long acknowledged = System.nanoTime();
        while (!value.equals(reader.get(key).toCompletableFuture().get(10, TimeUnit.SECONDS))) {
          Thread.onSpinWait();
        }
        lag[i] = (System.nanoTime() - acknowledged) / 1e6;
      }
      Arrays.sort(lag);
      p50[round] = lag[samples / 2];
      p99[round] = lag[(int) Math.ceil(samples * 0.99) - 1];
    }
    return new double[][] {p50, p99};
  }

  /**
   * Time from an upstream put until a dependent's new value is readable (its subscription sees
   * it), for one dependent, the end of a chain of 10, and all of 1,000 dependents. Updates are
   * spaced past the coalescing window, so each is an isolated change. Baseline: the same put with
   * nobody depending on the key, until it is acknowledged.
   */
  private void propagation(Kck kck, GraphPrimer source, GraphPrimer dependent, GraphPrimer fanned, Config config)
      throws Exception {
    long spacing = config.getDuration("kck.dependencies.coalesce-window").toMillis() + 20;
    String prefix = dependent.name() + "/";
    kck.get(prefix + "one").toCompletableFuture().get(60, TimeUnit.SECONDS);
    kck.get(prefix + "chain-9").toCompletableFuture().get(60, TimeUnit.SECONDS);
    List<String> fan = new ArrayList<>();
    List<CompletableFuture<Object>> fanGets = new ArrayList<>();
    for (int i = 0; i < sizes.fanOut(); i++) {
      fan.add(fanned.name() + "/" + i);
      fanGets.add(kck.get(fan.get(i)).toCompletableFuture());
    }
    CompletableFuture.allOf(fanGets.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    Measured one = measure(() -> propagationMillis(kck, source.key("one").text(), List.of(prefix + "one"), spacing));
    Measured chain = measure(() -> propagationMillis(kck, source.key("chain").text(), List.of(prefix + "chain-9"), spacing));
    Measured all = measure(() -> propagationMillis(kck, source.key("fan").text(), fan, spacing));
    Measured alone = measure(() -> {
      double[] samples = new double[sizes.updatesPerRound()];
      for (int i = 0; i < samples.length; i++) {
        long started = System.nanoTime();
        kck.put(source.key("alone"), "v" + i).toCompletableFuture().get(30, TimeUnit.SECONDS);
        samples[i] = (System.nanoTime() - started) / 1e6;
      }
      return Measured.of(samples).median();
    });
    // Each update above follows a pause (the coalescing window is over); "the put alone" runs back
    // to back. The same put after the same pause: what the first hop of a propagation pays for the
    // pause, mostly PostgreSQL's commit after idle (docs/benchmarks.md); later hops follow at once.
    Measured paused = measure(() -> {
      double[] samples = new double[sizes.updatesPerRound()];
      for (int i = 0; i < samples.length; i++) {
        Thread.sleep(spacing);
        long started = System.nanoTime();
        kck.put(source.key("alone"), "p" + i).toCompletableFuture().get(30, TimeUnit.SECONDS);
        samples[i] = (System.nanoTime() - started) / 1e6;
      }
      return Measured.of(samples).median();
    });
    Measured rawPaused = rawCommitAfter(spacing);
    add("propagation: put to dependent readable, depth 1", one, "the put alone, acknowledged", alone, "ms", false);
    add("propagation: the put alone after the same pause as each update, acknowledged", paused,
        "the put alone, acknowledged", alone, "ms", false);
    add("propagation: the put alone after the same pause as each update, acknowledged", paused,
        "raw JDBC upsert of 1 row, autocommit, after the same pause", rawPaused, "ms", false);
    add("propagation: put to dependent readable, depth 10", chain, "the put alone, acknowledged", alone, "ms", false);
    add(String.format("propagation: put to all %,d dependents readable", sizes.fanOut()), all,
        "the put alone, acknowledged", alone, "ms", false);
    // One more round, traced: where a first hop's time goes (PropagationStages).
    Map<String, Double> stages = PropagationStages.trace(kck, source.key("one").text(), prefix + "one",
        3 * sizes.updatesPerRound(), spacing);
    Measured whole = Measured.of(new double[] {stages.remove(PropagationStages.WHOLE)});
    stages.forEach((stage, median) -> add("propagation stage, depth 1: " + stage + ", median",
        Measured.of(new double[] {median}), "the update's whole time, traced round", whole, "ms", false));
  }

  /**
   * What the database alone pays for a commit after a pause: one upsert on its own connection,
   * {@code pauseMillis} after the last, timed to its acknowledgement. The floor under the first hop
   * of a propagation, which also follows a pause.
   */
  private Measured rawCommitAfter(long pauseMillis) throws Exception {
    try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", password());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS bench_paused (k text PRIMARY KEY, v text NOT NULL)");
      try (PreparedStatement upsert = connection.prepareStatement(
          "INSERT INTO bench_paused (k, v) VALUES ('k', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v")) {
        return measure(() -> {
          double[] samples = new double[sizes.updatesPerRound()];
          for (int i = 0; i < samples.length; i++) {
            Thread.sleep(pauseMillis);
            long started = System.nanoTime();
            upsert.setString(1, "p" + i);
            upsert.executeUpdate();
            samples[i] = (System.nanoTime() - started) / 1e6;
          }
          return Measured.of(samples).median();
        });
      }
    }
  }

  /** Median over {@code updatesPerRound} isolated updates of {@code upstream}: until every key in {@code watched} has it. */
  private double propagationMillis(Kck kck, String upstream, List<String> watched, long spacingMillis)
      throws Exception {
    double[] samples = new double[sizes.updatesPerRound()];
    for (int i = 0; i < samples.length; i++) {
      java.util.concurrent.CountDownLatch seen = new java.util.concurrent.CountDownLatch(watched.size());
      long[] startedAt = new long[1];
      List<io.kck.Subscription> subscriptions = new ArrayList<>();
      AtomicLong lastArrival = new AtomicLong();
      String value = "u" + System.nanoTime();
      for (String key : watched) {
        subscriptions.add(kck.subscribe(key, entry -> {
          if (String.valueOf(entry.value()).startsWith(value)) {
            lastArrival.accumulateAndGet(System.nanoTime(), Math::max);
            seen.countDown();
          }
        }));
      }
      Thread.sleep(spacingMillis); // subscriptions attached; the last change's window is over
      startedAt[0] = System.nanoTime();
      kck.put(upstream, value).toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (!seen.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(seen.getCount() + " of " + watched.size() + " dependents never saw " + value);
      }
      samples[i] = (lastArrival.get() - startedAt[0]) / 1e6;
      subscriptions.forEach(io.kck.Subscription::close);
    }
    return Measured.of(samples).median();
  }

  /**
   * Augment against a full recompute of a product of {@code bigElements} numbers, held two ways:
   * as an array (the augment appends one number by copying the array, as a pure function must)
   * and as {@link ChunkedInts} (the augment copies a chunk's worth at most). Each augment journals
   * a small event; the recompute builds the value again and journals it whole. Then the split: the
   * augment function alone on each value, timed off KCK.
   */
  private void augment(Kck kck, BigProduct big, ChunkedProduct chunked) throws Exception {
    augmentAgainstRecompute(kck, big.key("k"), String.format("augment: one delta into a product of %,d elements"
        + " (an int[], copied by each delta)", sizes.bigElements()));
    augmentAgainstRecompute(kck, chunked.key("k"), String.format("augment: one delta into a product of %,d elements"
        + " in shared chunks (ChunkedInts)", sizes.bigElements()));
    int[] array = big.compute(big.key("split"), null);
    ChunkedInts chunks = ChunkedInts.of(array);
    Measured copyApply = measure(() -> applyTime(() -> big.append(array, 1)));
    Measured chunkedApply = measure(() -> applyTime(() -> chunks.append(1)));
    add(String.format("augment split: the augment function alone, int[] of %,d", sizes.bigElements()), copyApply,
        "the same on ChunkedInts", chunkedApply, "µs", false);
  }

  private void augmentAgainstRecompute(Kck kck, io.kck.primer.Key<?> key, String name) throws Exception {
    kck.get(key).toCompletableFuture().get(120, TimeUnit.SECONDS);
    Measured augments = measure(() -> {
      // Many per round: an augment takes a millisecond or two, and the first ones of a round pay for compiling.
      double[] samples = new double[sizes.updatesPerRound() * 20];
      for (int i = 0; i < samples.length; i++) {
        long started = System.nanoTime();
        kck.augment(key, i).toCompletableFuture().get(30, TimeUnit.SECONDS);
        samples[i] = (System.nanoTime() - started) / 1e6;
      }
      return Measured.of(samples).median();
    });
    Measured recomputes = measure(() -> {
      long started = System.nanoTime();
      kck.refresh(key).toCompletableFuture().get(120, TimeUnit.SECONDS);
      return (System.nanoTime() - started) / 1e6;
    });
    add(name, augments, "full recompute (refresh) of it", recomputes, "ms", false);
  }

  /** The median time of {@code apply} over a round of updates, in µs; what it returns is kept from the optimiser. */
  private double applyTime(java.util.function.Supplier<Object> apply) {
    double[] samples = new double[sizes.updatesPerRound() * 20];
    Object kept = null;
    for (int i = 0; i < samples.length; i++) {
      long started = System.nanoTime();
      kept = apply.get();
      samples[i] = (System.nanoTime() - started) / 1e3;
    }
    if (kept == null) {
      throw new IllegalStateException("the augment function returned nothing");
    }
    return Measured.of(samples).median();
  }

  /** A product of many numbers (new ones at every compute); its delta appends one. */
  static final class BigProduct extends io.kck.primer.Primer<int[]> {
    private final int elements;
    private final java.util.concurrent.atomic.AtomicInteger computes = new java.util.concurrent.atomic.AtomicInteger();

    BigProduct(String name, int elements) {
      super(name, int[].class, io.kck.primer.Parameter.ofString("id"));
      this.elements = elements;
    }

    @Override
    public int[] compute(io.kck.primer.Key<int[]> key, io.kck.primer.ComputeContext<int[]> context) {
      int seed = computes.incrementAndGet();
      int[] numbers = new int[elements];
      for (int i = 0; i < numbers.length; i++) {
        numbers[i] = i * 31 + seed;
      }
      return numbers;
    }

    @Override
    public java.util.Optional<io.kck.primer.Augment<int[], ?>> augment() {
      return java.util.Optional.of(io.kck.primer.Augment.<int[], Integer>of(Integer.class, this::append));
    }

    int[] append(int[] numbers, int next) {
      int[] more = Arrays.copyOf(numbers, numbers.length + 1);
      more[numbers.length] = next;
      return more;
    }
  }

  /** The same product held in shared chunks: its delta copies a chunk's worth at most. */
  static final class ChunkedProduct extends io.kck.primer.Primer<ChunkedInts> {
    private final BigProduct numbers;

    ChunkedProduct(String name, int elements) {
      super(name, ChunkedInts.class, io.kck.primer.Parameter.ofString("id"));
      this.numbers = new BigProduct(name, elements);
    }

    @Override
    public ChunkedInts compute(io.kck.primer.Key<ChunkedInts> key, io.kck.primer.ComputeContext<ChunkedInts> context) {
      return ChunkedInts.of(numbers.compute(null, null));
    }

    @Override
    public java.util.Optional<io.kck.primer.Augment<ChunkedInts, ?>> augment() {
      return java.util.Optional.of(io.kck.primer.Augment.<ChunkedInts, Integer>of(Integer.class, ChunkedInts::append));
    }
  }

  /** -Dkck.bench.cases=hit,recovery runs only those (all when unset). */
  private static boolean selected(String name) {
    String cases = System.getProperty("kck.bench.cases", "");
    return cases.isBlank() || java.util.Arrays.asList(cases.split(",")).contains(name);
  }

  /** Whether -Dkck.bench.cases names {@code name}: for cases a full run leaves out. */
  private static boolean named(String name) {
    return java.util.Arrays.asList(System.getProperty("kck.bench.cases", "").split(",")).contains(name);
  }

  Sizes sizes() {
    return sizes;
  }

  /** The table's rows so far: cases in classes of their own add theirs. */
  List<Row> rows() {
    return rows;
  }

  void progress(String done) {
    out.printf("[%tT] %s done%n", System.currentTimeMillis(), done);
  }

  // ---- hit -------------------------------------------------------------------------------

  private void hits(Kck kck, CountingPrimer primer) throws Exception {
    String[] keys = new String[sizes.hitKeys()];
    List<CompletableFuture<Object>> filling = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      keys[i] = primer.name() + "/hit-" + i;
      filling.add(kck.get(keys[i]).toCompletableFuture());
      if (filling.size() == 500) {
        CompletableFuture.allOf(filling.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        filling.clear();
      }
    }
    CompletableFuture.allOf(filling.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    io.kck.primer.Key<?>[] typed = Arrays.stream(keys).map(kck::key).toArray(io.kck.primer.Key<?>[]::new);
    AsyncLoadingCache<String, Object> caffeine = Caffeine.newBuilder().executor(Runnable::run).buildAsync(key -> "value of " + key);
    ConcurrentHashMap<String, Object> map = new ConcurrentHashMap<>();
    for (String key : keys) {
      caffeine.get(key).join();
      map.put(key, "value of " + key);
    }

    for (int threads : new int[] {1, 2}) {
      int t = threads;
      Measured ours = measure(() -> ourThroughput(kck, keys, t, 1000));
      Measured cache = measure(() -> loopThroughput(t, key -> caffeine.get(key).join(), keys));
      Measured chm = measure(() -> loopThroughput(t, map::get, keys));
      Measured cacheInFlight = measure(() -> inFlightThroughput(caffeine::get, keys, t, 1000));
      add("hit, " + t + " thread(s), 1,000 in flight", ours, "Caffeine AsyncLoadingCache.get", cache, "gets/s", true);
      // Caffeine through the same window and callbacks: what the in-flight shape itself costs either cache.
      add("hit, " + t + " thread(s), 1,000 in flight", ours, "Caffeine AsyncLoadingCache.get, the same 1,000 in flight",
          cacheInFlight, "gets/s", true);
      add("hit, " + t + " thread(s), 1,000 in flight", ours, "ConcurrentHashMap.get", chm, "gets/s", true);

      double[][] ourLatency = latencies(t, key -> kck.get(key).toCompletableFuture().join(), keys);
      double[][] cacheLatency = latencies(t, key -> caffeine.get(key).join(), keys);
      add("hit p50, " + t + " thread(s), one in flight each", Measured.of(ourLatency[0]),
          "Caffeine AsyncLoadingCache.get", Measured.of(cacheLatency[0]), "µs", false);
      add("hit p99, " + t + " thread(s), one in flight each", Measured.of(ourLatency[1]),
          "Caffeine AsyncLoadingCache.get", Measured.of(cacheLatency[1]), "µs", false);

      // The loop Caffeine's rows run (get, join, next), by Key and by text.
      Measured byKey = measure(() -> loopThroughput(t, key -> kck.get(key).toCompletableFuture().join(), typed));
      Measured byText = measure(() -> loopThroughput(t, key -> kck.get(key).toCompletableFuture().join(), keys));
      add("hit by Key, " + t + " thread(s), get and join in a loop", byKey, "Caffeine AsyncLoadingCache.get", cache,
          "gets/s", true);
      add("hit by text, " + t + " thread(s), get and join in a loop", byText, "the same by Key", byKey, "gets/s", true);
      double[][] keyLatency = latencies(t, key -> kck.get(key).toCompletableFuture().join(), typed);
      add("hit by Key p50, " + t + " thread(s), one in flight each", Measured.of(keyLatency[0]),
          "Caffeine AsyncLoadingCache.get", Measured.of(cacheLatency[0]), "µs", false);
      add("hit by Key p99, " + t + " thread(s), one in flight each", Measured.of(keyLatency[1]),
          "Caffeine AsyncLoadingCache.get", Measured.of(cacheLatency[1]), "µs", false);
    }

    Measured caffeineBytes = measure(() -> allocatedPerCall(i -> caffeine.get(keys[i]).join(), keys.length));
    add("bytes allocated per hit, by Key", measure(() -> allocatedPerCall(i -> kck.get(typed[i]).toCompletableFuture().join(),
        keys.length)), "Caffeine AsyncLoadingCache.get", caffeineBytes, "bytes", false);
    add("bytes allocated per hit, by text", measure(() -> allocatedPerCall(i -> kck.get(keys[i]).toCompletableFuture().join(),
        keys.length)), "Caffeine AsyncLoadingCache.get", caffeineBytes, "bytes", false);

    // KCK records into Micrometer's global registry unless told otherwise; with no registry in it
    // (the default) recording does nothing. With a Prometheus registry added, every get counts.
    // In turns, the registry added for each round with metrics and removed after it.
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    Measured[] offAndOn = measureInTurns(() -> ourThroughput(kck, keys, 1, 1000), () -> {
      io.micrometer.core.instrument.Metrics.globalRegistry.add(prometheus);
      try {
        return ourThroughput(kck, keys, 1, 1000);
      } finally {
        io.micrometer.core.instrument.Metrics.globalRegistry.remove(prometheus);
      }
    });
    add("hit, 1 thread(s), metrics into a Prometheus registry", offAndOn[1], "the same, no registry (metrics off)",
        offAndOn[0], "gets/s", true);
  }

  double ourThroughput(Kck kck, String[] keys, int threads, int inFlight) throws Exception {
    return inFlightThroughput(key -> kck.get(key), keys, threads, inFlight);
  }

  /**
   * Gets per second with {@code inFlight} requests outstanding, as a caller of a {@code
   * CompletionStage} API keeps them: each answer, in its callback, lets the next get go.
   */
  private double inFlightThroughput(java.util.function.Function<String, java.util.concurrent.CompletionStage<?>> get,
      String[] keys, int threads, int inFlight) throws Exception {
    AtomicLong done = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        Semaphore window = new Semaphore(inFlight / threads);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (!stop.get()) {
          window.acquireUninterruptibly();
          get.apply(keys[random.nextInt(keys.length)]).whenComplete((v, e) -> {
            done.incrementAndGet();
            window.release();
          });
        }
        window.acquireUninterruptibly(inFlight / threads);
      });
      workers.add(worker);
    }
    return timed(workers, stop, done);
  }

  private <K> double loopThroughput(int threads, java.util.function.Function<K, Object> get, K[] keys)
      throws Exception {
    AtomicLong done = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(new Thread(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long n = 0;
        Object sink = null;
        while (!stop.get()) {
          for (int i = 0; i < 1000; i++) {
            sink = get.apply(keys[random.nextInt(keys.length)]);
          }
          n += 1000;
        }
        done.addAndGet(n + (sink == null ? 1 : 0));
      }));
    }
    return timed(workers, stop, done);
  }

  /**
   * Bytes this thread allocates per call of {@code get} (on the keys in turn), over several passes
   * after a warm-up pass for the compiler: what a hit costs the garbage collector.
   */
  private static double allocatedPerCall(java.util.function.IntFunction<Object> get, int keys) {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Object sink = null;
    for (int pass = 0; pass < 10; pass++) {
      for (int i = 0; i < keys; i++) {
        sink = get.apply(i);
      }
    }
    int passes = 20;
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int pass = 0; pass < passes; pass++) {
      for (int i = 0; i < keys; i++) {
        sink = get.apply(i);
      }
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    return sink == null ? -1 : (double) allocated / ((long) passes * keys);
  }

  private double timed(List<Thread> workers, AtomicBoolean stop, AtomicLong done) throws Exception {
    long started = System.nanoTime();
    workers.forEach(Thread::start);
    Thread.sleep(sizes.window().toMillis()); // the measuring window, not synchronisation
    stop.set(true);
    for (Thread worker : workers) {
      worker.join();
    }
    return done.get() / ((System.nanoTime() - started) / 1e9);
  }

  /** p50 and p99 in µs of one-at-a-time calls, per round. */
  private <K> double[][] latencies(int threads, java.util.function.Function<K, Object> get, K[] keys)
      throws Exception {
    double[][] result = new double[2][sizes.rounds()];
    int perThread = sizes.smoke() ? 500 : 20_000;
    for (int round = -1; round < sizes.rounds(); round++) {
      long[][] samples = new long[threads][perThread];
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long[] mine = samples[t];
        workers.add(new Thread(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          for (int i = 0; i < mine.length; i++) {
            K key = keys[random.nextInt(keys.length)];
            long started = System.nanoTime();
            get.apply(key);
            mine[i] = System.nanoTime() - started;
          }
        }));
      }
      workers.forEach(Thread::start);
      for (Thread worker : workers) {
        worker.join();
      }
      if (round >= 0) {
        long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray();
        result[0][round] = all[all.length / 2] / 1000.0;
        result[1][round] = all[(int) (all.length * 0.99)] / 1000.0;
      }
    }
    return result;
  }

  // ---- single flight and cold miss -----------------------------------------------------------

  private void singleFlight(Kck kck, CountingPrimer primer) throws Exception {
    // A stampede takes tens of milliseconds: more rounds than the other cases, for a steady median.
    int rounds = sizes.smoke() ? sizes.rounds() : 25;
    double[] computes = new double[rounds];
    double[] cacheComputes = new double[rounds];
    double[] millis = new double[rounds];
    double[] cacheMillis = new double[rounds];
    double[] untilCompute = new double[rounds];
    double[] afterCompute = new double[rounds];
    double[] lastAsked = new double[rounds];
    AtomicLong computeStarted = new AtomicLong();
    AtomicLong computeEnded = new AtomicLong();
    primer.body((k, count) -> {
      computeStarted.set(System.nanoTime());
      String value = "value of " + k.get(CountingPrimer.ID);
      computeEnded.set(System.nanoTime());
      return value;
    });
    // Unmeasured rounds first, as a benchmark warms up the code it times: the first few stampedes run
    // in the interpreter (a get of a cold key there costs ~4 µs, not ~0.5), the same for Caffeine.
    int warmUps = sizes.smoke() ? 1 : 20;
    for (int pass = 0; pass < warmUps + rounds; pass++) {
      int round = pass - warmUps; // measured from 0
      String key = primer.name() + "/single-flight-" + pass;
      int before = primer.computes();
      long started = System.nanoTime();
      List<CompletableFuture<Object>> answers = new ArrayList<>(sizes.singleFlightGets());
      for (int i = 0; i < sizes.singleFlightGets(); i++) {
        answers.add(kck.get(key).toCompletableFuture());
      }
      long asked = System.nanoTime();
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      long answered = System.nanoTime();
      if (round >= 0) {
        millis[round] = (answered - started) / 1e6;
        computes[round] = primer.computes() - before;
        lastAsked[round] = (asked - started) / 1e6;
        untilCompute[round] = (computeStarted.get() - started) / 1e6;
        afterCompute[round] = (answered - computeEnded.get()) / 1e6;
      }

      AtomicLong loads = new AtomicLong();
      AsyncLoadingCache<String, Object> caffeine = Caffeine.newBuilder().executor(Runnable::run).buildAsync(k -> {
        loads.incrementAndGet();
        return "value of " + k;
      });
      started = System.nanoTime();
      List<CompletableFuture<Object>> cached = new ArrayList<>(sizes.singleFlightGets());
      for (int i = 0; i < sizes.singleFlightGets(); i++) {
        cached.add(caffeine.get(key));
      }
      CompletableFuture.allOf(cached.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      if (round >= 0) {
        cacheMillis[round] = (System.nanoTime() - started) / 1e6;
        cacheComputes[round] = loads.get();
      }
    }
    String gets = String.format("%,d", sizes.singleFlightGets());
    add("single flight: computes for " + gets + " concurrent cold gets", Measured.of(computes),
        "Caffeine AsyncLoadingCache", Measured.of(cacheComputes), "computes", false);
    add("single flight: until all " + gets + " answered", Measured.of(millis),
        "Caffeine AsyncLoadingCache", Measured.of(cacheMillis), "ms", false);
    // Where the time goes: the gets made, the key started and recovered until its compute, and
    // from the compute's end until the last get has its answer (journal write, replies).
    add("single flight: until all " + gets + " gets are made", Measured.of(lastAsked),
        "the whole stampede, until all answered", Measured.of(millis), "ms", false);
    add("single flight: from the first get until the compute starts", Measured.of(untilCompute),
        "the whole stampede, until all answered", Measured.of(millis), "ms", false);
    add("single flight: from the compute's end until all " + gets + " answered", Measured.of(afterCompute),
        "the whole stampede, until all answered", Measured.of(millis), "ms", false);
  }

  /**
   * 10,000 concurrent gets of one cold key spread over three nodes (get {@code i} through node
   * {@code i % 3}), beside the same gets of another cold key all through one node of the same
   * cluster: with one ask per node and one compute in the cluster, the spread costs little more.
   */
  private void singleFlightOnThreeNodes(Config config, String run) throws Exception {
    String name = "bench-sf3-" + run;
    List<CountingPrimer> instances = new ArrayList<>();
    double[] spread = new double[sizes.rounds()];
    double[] oneNode = new double[sizes.rounds()];
    double[] spreadComputes = new double[sizes.rounds()];
    double[] oneNodeComputes = new double[sizes.rounds()];
    try (ThreeNodes nodes = ThreeNodes.start("bench-sf3", config, () -> {
      CountingPrimer primer = new CountingPrimer(name);
      instances.add(primer);
      return List.of(primer);
    })) {
      IntSupplier computes = () -> instances.stream().mapToInt(CountingPrimer::computes).sum();
      List<Kck> kcks = nodes.kcks();
      for (int round = 0; round < sizes.rounds(); round++) {
        for (boolean spreadOver : new boolean[] {true, false}) {
          String key = name + "/" + (spreadOver ? "spread-" : "one-") + round;
          int before = computes.getAsInt();
          long started = System.nanoTime();
          List<CompletableFuture<Object>> answers = new ArrayList<>(sizes.singleFlightGets());
          for (int i = 0; i < sizes.singleFlightGets(); i++) {
            answers.add(kcks.get(spreadOver ? i % 3 : 0).get(key).toCompletableFuture());
          }
          CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
          double millis = (System.nanoTime() - started) / 1e6;
          (spreadOver ? spread : oneNode)[round] = millis;
          (spreadOver ? spreadComputes : oneNodeComputes)[round] = computes.getAsInt() - before;
        }
      }
    }
    String gets = String.format("%,d", sizes.singleFlightGets());
    add("single flight: until all " + gets + " gets spread over 3 nodes answered", Measured.of(spread),
        "the same through one node of the 3", Measured.of(oneNode), "ms", false);
    add("single flight: computes for " + gets + " gets spread over 3 nodes", Measured.of(spreadComputes),
        "the same through one node of the 3", Measured.of(oneNodeComputes), "computes", false);
  }

  private void coldMiss(Kck kck, CountingPrimer primer, Config config) throws Exception {
    double[] ours = new double[sizes.rounds()];
    double[] cache = new double[sizes.rounds()];
    double[] perKey = new double[sizes.rounds()];
    double[] recovery = new double[sizes.rounds()];
    double[] write = new double[sizes.rounds()];
    // KCK's meters record into no registry in this harness (metrics off): one for this case only.
    SimpleMeterRegistry timed = new SimpleMeterRegistry();
    kck.admin().meters().add(timed);
    for (int round = 0; round < sizes.rounds(); round++) {
      String prefix = primer.name() + "/cold-" + round + "-";
      // Where a new key's time goes: its load from the journal (from the actor's start, the wait for
      // one of Akka's max-concurrent-recoveries included) and its journal write, as KCK's meters time them.
      Timer recoveries = timed.get("kck.keys.recovery")
          .tag("primer", primer.name()).timer();
      Timer writes = timed.get("kck.journal.write")
          .tag("primer", primer.name()).timer();
      long recovered = recoveries.count();
      double recoveringMillis = recoveries.totalTime(TimeUnit.MILLISECONDS);
      long written = writes.count();
      double writingMillis = writes.totalTime(TimeUnit.MILLISECONDS);
      ours[round] = rate(sizes.coldKeys(), sizes.coldInFlight(), i -> kck.get(prefix + i).toCompletableFuture());
      perKey[round] = sizes.coldInFlight() * 1000.0 / ours[round];
      recovery[round] = (recoveries.totalTime(TimeUnit.MILLISECONDS) - recoveringMillis)
          / Math.max(1, recoveries.count() - recovered);
      write[round] = (writes.totalTime(TimeUnit.MILLISECONDS) - writingMillis) / Math.max(1, writes.count() - written);
      AsyncLoadingCache<String, Object> caffeine = Caffeine.newBuilder().executor(Runnable::run).buildAsync(k -> "value of " + k);
      cache[round] = rate(sizes.coldKeys(), sizes.coldInFlight(), i -> caffeine.get(prefix + i));
    }
    add("cold miss: new keys (start, compute, persist), " + String.format("%,d", sizes.coldInFlight()) + " in flight",
        Measured.of(ours),
        "Caffeine loading the same keys", Measured.of(cache), "keys/s", true);
    kck.admin().meters().remove(timed);
    String whole = "a new key's whole time, " + String.format("%,d", sizes.coldInFlight()) + " in flight";
    add("cold miss: a new key's load from the journal (recovery), mean", Measured.of(recovery), whole,
        Measured.of(perKey), "ms", false);
    add("cold miss: a new key's journal write, mean", Measured.of(write), whole, Measured.of(perKey), "ms", false);
    // One more round, traced: where the rest of a new key's time goes (ColdMissStages).
    String prefix = primer.name() + "/cold-traced-";
    Map<String, Double> stages = ColdMissStages.trace(sizes.coldKeys(), sizes.coldInFlight(), i -> prefix + i,
        key -> kck.get(key).toCompletableFuture());
    Measured traced = Measured.of(new double[] {stages.remove("whole")});
    double query = stages.remove(ColdMissStages.RECOVERY_QUERY);
    double keysPerQuery = stages.remove(ColdMissStages.KEYS_PER_QUERY);
    stages.forEach((stage, mean) -> add("cold miss stage: " + stage + ", mean", Measured.of(new double[] {mean}),
        "a new key's whole time, traced round", traced, "ms", false));
    add("cold miss stage: " + ColdMissStages.RECOVERY_QUERY + ", mean", Measured.of(new double[] {query}),
        "a new key's whole time, traced round", traced, "ms", false);
    // Keys recover 50 at a time at most (Akka's max-concurrent-recoveries), which bounds a batch.
    add("cold miss stage: " + ColdMissStages.KEYS_PER_QUERY + ", mean", Measured.of(new double[] {keysPerQuery}),
        "akka.persistence.max-concurrent-recoveries", Measured.of(new double[] {
            config.getInt("akka.persistence.max-concurrent-recoveries")}), "keys", true);
  }

  /** Operations per second of {@code count} asynchronous operations, {@code window} at a time. */
  static double rate(int count, int window, java.util.function.IntFunction<CompletableFuture<?>> op)
      throws Exception {
    Semaphore inFlight = new Semaphore(window);
    CountDownLatch done = new CountDownLatch(count);
    AtomicLong failures = new AtomicLong();
    java.util.concurrent.atomic.AtomicReference<Throwable> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
    long started = System.nanoTime();
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      op.apply(i).whenComplete((v, e) -> {
        if (e != null) {
          failures.incrementAndGet();
          firstFailure.compareAndSet(null, e);
        }
        inFlight.release();
        done.countDown();
      });
    }
    if (!done.await(10, TimeUnit.MINUTES) || failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " operations failed, the first with: " + firstFailure.get(),
          firstFailure.get());
    }
    return count / ((System.nanoTime() - started) / 1e9);
  }

  // ---- persistence -----------------------------------------------------------------------

  /**
   * Puts of 1 KiB from 1, 4 and 64 threads, each on keys of its own, against single-row upserts
   * from as many threads sharing as many connections as KCK's journal pool has: the same database
   * work without the cache, where many writers queue for connections as KCK's keys do. And against
   * the same writers on a bare event-sourced actor ({@link BareJournalWriter}), on KCK's journal
   * (what KCK adds to its journal) and on Akka Persistence JDBC's (what the journal gains). The
   * four take turns in each round.
   */
  private void persistence(ActorSystem<?> system, Kck kck, CountingPrimer primer, int poolSize) throws Exception {
    String value = "x".repeat(1000); // about 1 KiB of JSON
    byte[] bytes = ("\"" + value + "\"").getBytes(StandardCharsets.UTF_8);
    String url = jdbcUrl();
    try (Connection connection = DriverManager.getConnection(url, "postgres", password());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS bench_upsert (k text PRIMARY KEY, v bytea NOT NULL)");
    }
    java.util.concurrent.BlockingQueue<PreparedStatement> pool = new java.util.concurrent.ArrayBlockingQueue<>(poolSize);
    for (int i = 0; i < poolSize; i++) {
      pool.add(DriverManager.getConnection(url, "postgres", password()).prepareStatement(
          "INSERT INTO bench_upsert (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v"));
    }
    for (int writers : sizes.writers()) {
      int w = writers;
      Measurement ours = () -> writersRate(w, writer -> {
        String key = primer.name() + "/put-" + w + "-" + writer;
        return () -> kck.put(key, value).toCompletableFuture().join();
      });
      Measurement raw = () -> writersRate(w, writer -> {
        String key = "raw-" + w + "-" + writer;
        return () -> {
          PreparedStatement upsert = null;
          try {
            upsert = pool.take();
            upsert.setString(1, key);
            upsert.setBytes(2, bytes);
            upsert.executeUpdate();
          } catch (java.sql.SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
          } finally {
            if (upsert != null) {
              pool.add(upsert);
            }
          }
        };
      });
      Measurement bare = () -> writersRate(w, writer -> bareWriter(system, value, "kck.journal", "kck.snapshot-store"));
      Measurement plugin = () -> writersRate(w, writer ->
          bareWriter(system, value, "kck-bench.jdbc-journal", "kck-bench.jdbc-snapshot-store"));
      Measured[] measured = measureInTurns(ours, raw, bare, plugin);
      String name = "persistence: put, " + w + " writer(s) on " + w + " key(s), 1 KiB";
      add(name, measured[0], "raw JDBC upsert, autocommit, " + poolSize + " connections", measured[1], "writes/s", true);
      add(name, measured[0], "KCK's journal alone: persist and reply", measured[2], "writes/s", true);
      add(name, measured[0], "Akka Persistence JDBC alone: persist and reply", measured[3], "writes/s", true);
    }
    for (PreparedStatement upsert : pool) {
      upsert.getConnection().close();
    }
  }

  /** A writer that persists {@code value} on a bare event-sourced actor of the given plugins, one at a time. */
  private static Runnable bareWriter(ActorSystem<?> system, String value, String journal, String snapshots) {
    String id = "bench-bare-" + System.nanoTime();
    ActorRef<BareJournalWriter.Write> writer =
        system.systemActorOf(new BareJournalWriter(id, journal, snapshots), id, akka.actor.typed.Props.empty());
    return () -> AskPattern.<BareJournalWriter.Write, akka.Done>ask(writer,
        replyTo -> new BareJournalWriter.Write(value, replyTo), Duration.ofSeconds(30), system.scheduler())
        .toCompletableFuture().join();
  }

  interface WriterFactory {
    Runnable create(int writer) throws Exception;
  }

  double writersRate(int writers, WriterFactory factory) throws Exception {
    AtomicLong done = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      Runnable write = factory.create(w);
      workers.add(new Thread(() -> {
        while (!stop.get()) {
          write.run();
          done.incrementAndGet();
        }
      }));
    }
    return timed(workers, stop, done);
  }

  // ---- recovery and memory ----------------------------------------------------------------

  private void recoveryAndMemory(Config config, String run) throws Exception {
    int n = sizes.recoveryKeys();
    String name = "bench-recovery-" + run;
    double computeRate;
    ActorSystem<Void> first = ActorSystem.create(Behaviors.empty(), "bench-before", config);
    try {
      Kck kck = Kck.start(first, new CountingPrimer(name));
      computeRate = rate(n, 1000, i -> kck.get(name + "/" + i).toCompletableFuture());
    } finally {
      terminate(first);
    }

    ActorSystem<Void> second = ActorSystem.create(Behaviors.empty(), "bench-after", config);
    try {
      CountingPrimer after = new CountingPrimer(name);
      Kck kck = Kck.start(second, after);
      kck.get(name + "/0").toCompletableFuture().get(60, TimeUnit.SECONDS); // sharding is up
      double readRate = rate(n, 1000, i -> kck.get(name + "/" + i).toCompletableFuture());
      if (after.computes() != 0) {
        throw new IllegalStateException("recovery recomputed " + after.computes() + " keys");
      }
      // Keys whose actor started to answer: the first gets of each shard, before it runs here; the
      // others were loaded from the journal in bulk (kck.read-tier.bulk-load).
      int started = liveKeys(kck, name);
      rows.add(new Row("recovery: " + String.format("%,d", n) + " keys read back after a restart",
          readRate, "recomputing them (compute + persist)", computeRate, "keys/s", true,
          String.format("one round; %,d actors started", started)));
    } finally {
      terminate(second);
    }

    // On a node of its own: beside the 100,000 keys read back, its live keys would pass
    // kck.entity.max-live, and some would be passivated while they are measured.
    ActorSystem<Void> third = ActorSystem.create(Behaviors.empty(), "bench-memory", config);
    try {
      CountingPrimer small = new CountingPrimer("bench-memory-" + run);
      CountingPrimer warm = new CountingPrimer("bench-memory-warm-" + run);
      Kck kck = Kck.start(third, small, warm);
      // What a node pays per shard, not per key (the shard's actor, its sentinel), is paid first:
      // 5,000 keys (of another primer, which the count of live keys below leaves out) start nearly
      // every shard. The rows are then the cost of one more key.
      rate(sizes.smoke() ? 50 : 5000, 1000, i -> kck.get(warm.name() + "/" + i).toCompletableFuture());
      memory(kck, small.name());
    } finally {
      terminate(third);
    }
  }

  /** Heap per live idle key and per passivated key, against a Caffeine entry of the same value. */
  private void memory(Kck kck, String primer) throws Exception {
    int m = sizes.memoryKeys();
    long base = usedHeap();
    rate(m, 1000, i -> kck.get(primer + "/" + i).toCompletableFuture());
    long live = usedHeap();
    for (int i = 0; i < m; i++) {
      io.kck.testing.KeyStatuses.entity(kck.system(), primer + "/" + i).tell(io.kck.entity.KeyCommand.Passivate.INSTANCE);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (liveKeys(kck, primer) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100); // polling the shard's own count
    }
    long passivated = usedHeap();

    AsyncLoadingCache<String, Object> caffeine = Caffeine.newBuilder().executor(Runnable::run).buildAsync(k -> "value of " + k);
    long cacheBase = usedHeap();
    for (int i = 0; i < m; i++) {
      caffeine.get(primer + "/" + i).join();
    }
    long cacheLive = usedHeap();
    double perCacheEntry = (cacheLive - cacheBase) / (double) m;
    rows.add(new Row("memory: heap per live idle key (value ~30 bytes)", (live - base) / (double) m,
        "Caffeine entry, same value", perCacheEntry, "bytes", false, "one round"));
    // Since the read tier, a passivated key keeps its entry: it is still ready, served without its actor.
    int fromTier = 0;
    for (int i = 0; i < m; i += Math.max(1, m / 1000)) {
      fromTier += kck.get(primer + "/" + i).toCompletableFuture().isDone() ? 1 : 0;
    }
    if (fromTier == 0) {
      throw new IllegalStateException("no passivated key was answered from the read tier");
    }
    rows.add(new Row("memory: heap per ready idle key, actor passivated", Math.max(0, passivated - base) / (double) m,
        "Caffeine entry, same value", perCacheEntry, "bytes", false, "one round"));
    if (caffeine.synchronous().estimatedSize() != m) {
      throw new IllegalStateException("the baseline cache lost entries");
    }
  }

  private static int liveKeys(Kck kck, String primer) throws Exception {
    var probe = akka.actor.typed.javadsl.AskPattern.<akka.cluster.sharding.typed.ClusterShardingQuery,
        akka.cluster.sharding.ShardRegion.CurrentShardRegionState>ask(
        akka.cluster.sharding.typed.javadsl.ClusterSharding.get(kck.system()).shardState(),
        replyTo -> new akka.cluster.sharding.typed.GetShardRegionState(io.kck.entity.KeyNames.TYPE_KEY, replyTo),
        Duration.ofSeconds(10), kck.system().scheduler());
    var state = probe.toCompletableFuture().get(10, TimeUnit.SECONDS);
    int count = 0;
    for (var shard : state.getShards()) {
      for (String id : shard.getEntityIds()) {
        count += id.startsWith(primer + "/") ? 1 : 0;
      }
    }
    return count;
  }

  /**
   * The heap in use once collections stop freeing much: in a test JVM, ActorSystems of earlier
   * tests may still be shutting down, and a fixed number of collections then measured their
   * garbage too (a negative figure per Caffeine entry).
   */
  long usedHeap() throws InterruptedException {
    if (sizes.smoke()) { // its memory figures are only checked to be numbers
      System.gc();
      return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(100); // let the collector finish: a measurement, not synchronisation
      long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (i >= 2 && now > used - 64 * 1024) {
        return now;
      }
      used = Math.min(used, now);
    }
    return used;
  }

  // ---- plumbing ---------------------------------------------------------------------------

  /** Medians and spread over rounds (one warm-up round first). */
  record Measured(double median, double min, double max) {
    static Measured of(double[] values) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      return new Measured(sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1]);
    }
  }

  interface Measurement {
    double run() throws Exception;
  }

  private Measured measure(Measurement measurement) throws Exception {
    double[] values = new double[sizes.rounds()];
    measurement.run(); // warm-up
    for (int round = 0; round < values.length; round++) {
      values[round] = measurement.run();
    }
    return Measured.of(values);
  }

  /**
   * Like {@link #measure}, but the measurements take turns within each round (ours, then each
   * baseline, then ours again): the disk and the machine drift over seconds, and a slow stretch
   * then falls on every measurement instead of on whichever ran during it.
   */
  Measured[] measureInTurns(Measurement... measurements) throws Exception {
    double[][] values = new double[measurements.length][sizes.rounds()];
    for (Measurement measurement : measurements) {
      measurement.run(); // warm-up
    }
    for (int round = 0; round < sizes.rounds(); round++) {
      for (int m = 0; m < measurements.length; m++) {
        values[m][round] = measurements[m].run();
      }
    }
    return Arrays.stream(values).map(Measured::of).toArray(Measured[]::new);
  }

  void add(String name, Measured ours, String baselineName, Measured baseline, String unit,
      boolean higherIsBetter) {
    rows.add(new Row(name, ours.median(), baselineName, baseline.median(), unit, higherIsBetter,
        spread(ours) + " / " + spread(baseline)));
  }

  private static String spread(Measured m) {
    return sizes(m.min()) + "–" + sizes(m.max());
  }

  private static String sizes(double value) {
    return value >= 100 ? String.format("%,.0f", value) : String.format("%.2f", value);
  }

  void printTable() {
    out.println();
    out.printf("KCK benchmarks %s: %d CPU(s), JDK %s, %s%n", sizes.smoke() ? "(SMOKE: figures mean nothing)" : "",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), postgresVersion());
    out.println("| case | ours (median) | baseline | baseline (median) | ratio ours/baseline | unit | spread min–max, ours / baseline |");
    out.println("|---|---:|---|---:|---:|---|---|");
    for (Row row : rows) {
      out.printf("| %s | %s | %s | %s | %s | %s | %s |%n", row.name(), sizes(row.ours()), row.baselineName(),
          sizes(row.baseline()), String.format("%.3g", row.ratio()), row.unit(), row.spread());
    }
  }

  private static String postgresVersion() {
    try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", password());
        Statement statement = connection.createStatement();
        var rows = statement.executeQuery("SHOW server_version")) {
      rows.next();
      return "PostgreSQL " + rows.getString(1) + " (embedded, fsync on)";
    } catch (Exception e) {
      return "PostgreSQL (version unknown: " + e.getMessage() + ")";
    }
  }

  private static String password() {
    return io.kck.persistence.EmbeddedAccess.owner(DATA_DIRECTORY, true).password();
  }

  private static String jdbcUrl() {
    return io.kck.persistence.EmbeddedAccess.jdbcUrl(DATA_DIRECTORY, true);
  }

  private static void terminate(ActorSystem<?> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static void deleteDirectory(java.nio.file.Path directory) throws java.io.IOException {
    if (!java.nio.file.Files.exists(directory)) {
      return;
    }
    try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(directory)) {
      for (java.nio.file.Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(path);
      }
    }
  }
}
