package io.kck.bench;

import io.kck.Kck;
import io.kck.Subscription;
import io.kck.entity.metrics.Traces;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.consumer.RecordedEvent;

/**
 * Where a first hop's time goes: one extra round of isolated updates of an upstream key with one
 * dependent, under a JDK Flight Recording of KCK's own events (the two keys' journal writes and
 * their statements, the change told to dependents, the dependent's compute) and of each update,
 * from the put to the subscriber's callback, all stamped by one clock. A separate round, so that
 * the recording does not weigh on the measured ones; medians over its updates, since a pause
 * before each update lets the machine's timing wander.
 */
final class PropagationStages {
  private PropagationStages() {}

  private static final String INSERT = "io.kck.JournalInsert";
  /** The stage that is the whole update, a key of {@link #trace}'s answer. */
  static final String WHOLE = "whole";

  @Name("io.kck.bench.Update")
  @StackTrace(false)
  static final class Update extends Event {
    String key;
  }

  /**
   * The stages in order, each its median over {@code updates} updates of {@code upstream} in ms,
   * and the whole update's median ({@link #WHOLE}); each update follows a pause of {@code pauseMillis}.
   */
  static Map<String, Double> trace(Kck kck, String upstream, String dependent, int updates, long pauseMillis)
      throws Exception {
    List<RecordedEvent> events = TracedRound.record(
        List.of(Traces.Persist.class, Traces.Propagate.class, Traces.Compute.class, Update.class), List.of(INSERT),
        () -> {
          for (int i = 0; i < updates; i++) {
            String value = "traced " + System.nanoTime();
            CountDownLatch seen = new CountDownLatch(1);
            Update update = new Update();
            update.key = upstream;
            Subscription subscription = kck.subscribe(dependent, entry -> {
              if (String.valueOf(entry.value()).startsWith(value)) {
                update.commit(); // its end: the dependent's new value reached a subscriber
                seen.countDown();
              }
            });
            Thread.sleep(pauseMillis); // the last update's coalescing window is over, as in the measured rounds
            update.begin();
            kck.put(upstream, value).toCompletableFuture().get(30, TimeUnit.SECONDS);
            if (!seen.await(60, TimeUnit.SECONDS)) {
              throw new IllegalStateException(dependent + " never saw the traced update " + value);
            }
            subscription.close();
          }
        });
    return stages(events, upstream, dependent);
  }

  private static Map<String, Double> stages(List<RecordedEvent> recorded, String upstream, String dependent) {
    List<RecordedEvent> events = new ArrayList<>(recorded);
    events.sort(Comparator.comparing(RecordedEvent::getStartTime));
    Map<String, List<Double>> stages = new LinkedHashMap<>();
    for (String stage : List.of("from the put until its journal statement starts (sharding, the key, the journal)",
        "the put's insert and commit in PostgreSQL", "from that commit until the dependents are told",
        "until the dependent's compute starts (the notice, a compute thread)", "the dependent's compute",
        "from the compute's end until its journal statement starts", "the dependent's insert and commit in PostgreSQL",
        "from that commit until a subscriber has the new value", WHOLE)) {
      stages.put(stage, new ArrayList<>());
    }
    for (RecordedEvent update : events) {
      if (!update.getEventType().getName().equals("io.kck.bench.Update")) {
        continue;
      }
      // This update's events: the ones that started while it ran (updates never overlap).
      List<RecordedEvent> during = events.stream().filter(event -> event != update
          && !event.getStartTime().isBefore(update.getStartTime())
          && event.getStartTime().isBefore(update.getEndTime())).toList();
      RecordedEvent put = first(during, event -> is(event, "io.kck.Persist", upstream));
      RecordedEvent told = first(during, event -> is(event, "io.kck.Propagate", upstream));
      RecordedEvent compute = first(during, event -> is(event, "io.kck.Compute", dependent));
      RecordedEvent written = first(during, event -> is(event, "io.kck.Persist", dependent));
      if (put == null || told == null || compute == null || written == null) {
        continue;
      }
      // Only these two keys write during the round: each write's statement runs inside its persist.
      RecordedEvent putInsert = first(during, event -> event.getEventType().getName().equals(INSERT)
          && within(event, put));
      RecordedEvent writtenInsert = first(during, event -> event.getEventType().getName().equals(INSERT)
          && within(event, written));
      if (putInsert == null || writtenInsert == null) {
        continue;
      }
      List<Instant> at = List.of(update.getStartTime(), putInsert.getStartTime(), putInsert.getEndTime(),
          told.getStartTime(), compute.getStartTime(), compute.getEndTime(), writtenInsert.getStartTime(),
          writtenInsert.getEndTime(), update.getEndTime());
      int i = 0;
      for (List<Double> stage : stages.values()) {
        stage.add(i < at.size() - 1 ? TracedRound.millis(at.get(i), at.get(i + 1))
            : TracedRound.millis(at.get(0), at.get(at.size() - 1)));
        i++;
      }
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    stages.forEach((stage, values) -> medians.put(stage, values.isEmpty() ? Double.NaN
        : Benchmarks.Measured.of(values.stream().mapToDouble(Double::doubleValue).toArray()).median()));
    return medians;
  }

  private static boolean is(RecordedEvent event, String type, String key) {
    return event.getEventType().getName().equals(type) && key.equals(event.getString("key"));
  }

  private static boolean within(RecordedEvent inner, RecordedEvent outer) {
    return !inner.getStartTime().isBefore(outer.getStartTime()) && !inner.getEndTime().isAfter(outer.getEndTime());
  }

  private static RecordedEvent first(List<RecordedEvent> events, Predicate<RecordedEvent> matching) {
    return events.stream().filter(matching).findFirst().orElse(null);
  }
}
