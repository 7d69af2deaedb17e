package io.kck.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import io.kck.Kck;
import io.kck.KeyResult;
import io.kck.persistence.EmbeddedAccess;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * The {@code batch} case: cold keys through a primer that computes them in batches (one query to
 * the source per batch, {@code kck.batch.size} keys), beside the same keys through a primer that
 * computes them one by one (one query each), both asked with one {@code getAll}, taking turns in
 * each round. The source is the embedded PostgreSQL itself, over {@value #CONNECTIONS} connections
 * of the benchmark's own, as a remote system whose every call takes a fixed time ({@code pg_sleep}:
 * the round trip and set-up of an import, whatever it returns). Every key's value is journaled
 * either way: the batch should be bound by those durable writes (which the group commit gathers),
 * the one-by-one primer by its source calls.
 *
 * <p>{@code -Dkck.bench.batch.keys=1000} sets the keys per round (10,000; 500 in the smoke run),
 * {@code -Dkck.bench.batch.source-millis=5} the time of one source call (20 ms; 1 in the smoke run).
 */
final class BatchBench {
  private static final Parameter<String> ID = Parameter.ofString("id");
  private static final int CONNECTIONS = 8;

  private BatchBench() {}

  static List<Benchmarks.Row> run(Config config, String dataDirectory, String run, boolean smoke, int rounds)
      throws Exception {
    int keys = Integer.getInteger("kck.bench.batch.keys", smoke ? 500 : 10_000);
    int latencyMillis = Integer.getInteger("kck.bench.batch.source-millis", smoke ? 1 : 20);
    double latency = latencyMillis / 1000.0;
    BlockingQueue<Connection> source = new ArrayBlockingQueue<>(CONNECTIONS);
    for (int i = 0; i < CONNECTIONS; i++) {
      source.add(EmbeddedAccess.connect(dataDirectory));
    }
    Primer<String> batched = Primer.builder("bench-batch-" + run, String.class).parameters(ID)
        .computeAll(batch -> {
          List<Key<String>> all = batch.keys();
          String[] ids = all.stream().map(key -> key.get(ID)).toArray(String[]::new);
          Connection connection = source.take();
          try (PreparedStatement query = connection.prepareStatement(
              "SELECT id, 'value of ' || id FROM unnest(?::text[]) AS id, pg_sleep(?)")) {
            Array array = connection.createArrayOf("text", ids);
            query.setArray(1, array);
            query.setDouble(2, latency);
            try (ResultSet rows = query.executeQuery()) {
              Map<String, Key<String>> byId = new HashMap<>();
              all.forEach(key -> byId.put(key.get(ID), key));
              while (rows.next()) {
                batch.complete(byId.get(rows.getString(1)), rows.getString(2));
              }
            }
          } finally {
            source.put(connection);
          }
        }).build();
    Primer<String> single = Primer.builder("bench-one-by-one-" + run, String.class).parameters(ID)
        .compute((key, context) -> {
          Connection connection = source.take();
          try (PreparedStatement query = connection.prepareStatement("SELECT 'value of ' || ? FROM pg_sleep(?)")) {
            query.setString(1, key.get(ID));
            query.setDouble(2, latency);
            try (ResultSet rows = query.executeQuery()) {
              rows.next();
              return rows.getString(1);
            }
          } finally {
            source.put(connection);
          }
        }).build();

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-batch", config);
    try {
      Kck kck = Kck.start(system, batched, single);
      double[] ours = new double[rounds];
      double[] baseline = new double[rounds];
      for (int round = -1; round < rounds; round++) { // round -1: warm-up
        double batchRate = rate(kck, batched, keys, "r" + round + "-");
        double singleRate = rate(kck, single, keys, "r" + round + "-");
        if (round >= 0) {
          ours[round] = batchRate;
          baseline[round] = singleRate;
        }
      }
      Benchmarks.Measured measuredOurs = Benchmarks.Measured.of(ours);
      Benchmarks.Measured measuredBaseline = Benchmarks.Measured.of(baseline);
      return List.of(new Benchmarks.Row("batch: " + String.format("%,d", keys) + " cold keys through one batch-computing"
          + " primer", measuredOurs.median(), "the same keys computed one by one (one source call each; a call: "
          + latencyMillis + " ms, " + CONNECTIONS + " connections)",
          measuredBaseline.median(), "keys/s", true, spread(measuredOurs) + " / " + spread(measuredBaseline)));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      for (Connection connection : source) {
        connection.close();
      }
    }
  }

  /** Keys per second of one getAll of {@code count} new keys of {@code primer}; fails if any key failed. */
  private static double rate(Kck kck, Primer<String> primer, int count, String prefix) throws Exception {
    List<Key<String>> keys = IntStream.range(0, count).mapToObj(i -> primer.key(prefix + i)).toList();
    long started = System.nanoTime();
    List<KeyResult<String>> results = kck.getAll(keys).toCompletableFuture().get(10, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - started) / 1e9;
    List<KeyResult<String>> failed = new ArrayList<>(results.stream().filter(result -> !result.ok()).toList());
    if (!failed.isEmpty()) {
      throw new IllegalStateException(failed.size() + " of " + count + " keys of " + primer + " failed, the first: "
          + failed.get(0));
    }
    return count / seconds;
  }

  private static String spread(Benchmarks.Measured m) {
    return Arrays.stream(new double[] {m.min(), m.max()}).mapToObj(v -> String.format("%.3g", v))
        .reduce((a, b) -> a + "–" + b).orElseThrow();
  }
}
