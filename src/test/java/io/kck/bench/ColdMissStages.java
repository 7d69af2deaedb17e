package io.kck.bench;

import io.kck.entity.metrics.Traces;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.consumer.RecordedEvent;

/**
 * Where a new key's time goes, stage by stage: one extra round of the cold-miss case under a JDK
 * Flight Recording of KCK's own events (a key's load, its compute, its journal write) and of each
 * get, all stamped by one clock. Per key: from the get until its actor starts (the facade, the
 * read tier's bulk load finding nothing, sharding's region and shard, the actor's spawn), its load
 * from the journal (the wait for one of Akka's recovery permits included), until its compute
 * starts, the compute, until its journal write starts (the version floor's read, the mailbox),
 * the write, and from the write's acknowledgement until the caller has the answer. A separate
 * round, so that the recording does not weigh on the measured ones.
 */
final class ColdMissStages {
  private ColdMissStages() {}

  private static final String RECOVERY_READ = "io.kck.RecoveryRead";
  /** A recovery query's time (one of the key's load), a key of {@link #trace}'s answer. */
  static final String RECOVERY_QUERY = "one recovery query (many keys' snapshots, or highest sequence numbers)";
  /** Keys a recovery query answered, a key of {@link #trace}'s answer. */
  static final String KEYS_PER_QUERY = "keys per recovery query";

  @Name("io.kck.bench.ColdGet")
  @StackTrace(false)
  static final class ColdGet extends Event {
    String key;
  }

  /**
   * The stages in order, each its mean over the round's keys in ms, the whole get's mean ("whole"),
   * and the mean time and size of the round's recovery queries ({@link #RECOVERY_QUERY}, {@link #KEYS_PER_QUERY}).
   */
  static Map<String, Double> trace(int count, int window, Function<Integer, String> keyOf,
      Function<String, CompletableFuture<?>> get) throws Exception {
    List<RecordedEvent> events = TracedRound.record(
        List.of(Traces.Recovery.class, Traces.Compute.class, Traces.Persist.class, ColdGet.class),
        List.of(RECOVERY_READ), () -> {
          Semaphore inFlight = new Semaphore(window);
          CountDownLatch done = new CountDownLatch(count);
          for (int i = 0; i < count; i++) {
            inFlight.acquire();
            ColdGet traced = new ColdGet();
            traced.key = keyOf.apply(i);
            traced.begin();
            get.apply(traced.key).whenComplete((value, error) -> {
              traced.commit();
              inFlight.release();
              done.countDown();
            });
          }
          if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the traced cold-miss round did not finish");
          }
        });
    return stages(events);
  }

  private static Map<String, Double> stages(List<RecordedEvent> events) {
    Map<String, Map<String, RecordedEvent>> byKey = new HashMap<>();
    List<Double> queryMillis = new ArrayList<>();
    List<Double> keysPerQuery = new ArrayList<>();
    for (RecordedEvent event : events) {
      if (event.getEventType().getName().equals(RECOVERY_READ)) {
        queryMillis.add(TracedRound.millis(event.getStartTime(), event.getEndTime()));
        keysPerQuery.add((double) event.getInt("keys"));
        continue;
      }
      if (!event.hasField("key")) {
        continue; // the recording's own (settings and the like)
      }
      String key = event.getString("key");
      // A new key's first of each (its one load, compute and write).
      byKey.computeIfAbsent(key, k -> new HashMap<>()).merge(event.getEventType().getName(), event,
          (first, next) -> next.getStartTime().isBefore(first.getStartTime()) ? next : first);
    }
    Map<String, List<Double>> stages = new LinkedHashMap<>();
    for (String stage : List.of("until its actor starts (facade, bulk-load miss, sharding, spawn)",
        "its load from the journal (the recovery permit's wait included)", "from loaded until its compute starts",
        "the compute", "from the compute's end until its journal write starts (version floor, mailbox)",
        "the journal write", "from the write's acknowledgement until the caller has the answer", "whole")) {
      stages.put(stage, new ArrayList<>());
    }
    for (Map<String, RecordedEvent> key : byKey.values()) {
      RecordedEvent get = key.get("io.kck.bench.ColdGet");
      RecordedEvent load = key.get("io.kck.Recovery");
      RecordedEvent compute = key.get("io.kck.Compute");
      RecordedEvent write = key.get("io.kck.Persist");
      if (get == null || load == null || compute == null || write == null) {
        continue;
      }
      List<Instant> at = List.of(get.getStartTime(), load.getStartTime(), load.getEndTime(), compute.getStartTime(),
          compute.getEndTime(), write.getStartTime(), write.getEndTime(), get.getEndTime());
      int i = 0;
      for (List<Double> stage : stages.values()) {
        stage.add(i < at.size() - 1 ? TracedRound.millis(at.get(i), at.get(i + 1))
            : TracedRound.millis(at.get(0), at.get(at.size() - 1)));
        i++;
      }
    }
    stages.put(RECOVERY_QUERY, queryMillis);
    stages.put(KEYS_PER_QUERY, keysPerQuery);
    Map<String, Double> means = new LinkedHashMap<>();
    stages.forEach((stage, values) -> means.put(stage,
        values.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
    return means;
  }
}
