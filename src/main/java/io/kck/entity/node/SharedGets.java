package io.kck.entity.node;

import io.kck.entity.EntryData;
import io.kck.errors.KckTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Concurrent gets of one key on this node share one request (a "flight"): the first get asks, the
 * others wait for its answer, and every one is answered with it. A stampede of N gets of a cold
 * key costs one ask through Cluster Sharding, one waiter in the key's actor and one reply, not N
 * of each; across nodes, one ask per node.
 *
 * <p>Each caller gets its own stage: completing or cancelling it touches nobody else's. A flight
 * leaves the map before it answers (whether with a value, a failure or a timeout), so a get that
 * starts after an answer asks again, and the map holds only flights in the air. A write sent
 * through this node detaches the key's flight ({@link #detach}): a get after an acknowledged
 * write never shares the answer of a request sent before it.
 *
 * <p>Timeouts stay each caller's own: the flight's request times out {@code timeout} after the
 * first get; a get that joined later and still has time left when that happens asks again, and
 * fails at the latest {@code timeout} after it was made. Thread-safe; every method returns at once.
 */
final class SharedGets {
  private final ConcurrentHashMap<String, CompletableFuture<EntryData>> flights = new ConcurrentHashMap<>();
  private final Duration timeout;
  private final long timeoutNanos;

  SharedGets(Duration timeout) {
    this.timeout = timeout;
    this.timeoutNanos = timeout.toNanos();
  }

  /**
   * The answer to a get of {@code key}: the flight's in the air, or that of a new one that {@code
   * ask} starts now.
   */
  CompletionStage<EntryData> get(String key, Supplier<CompletionStage<EntryData>> ask) {
    CompletableFuture<EntryData> mine = new CompletableFuture<>();
    join(key, ask, mine, System.nanoTime(), false);
    return mine;
  }

  /** A write of {@code key} is being sent: gets from now on do not share the answer of one asked before it. */
  void detach(String key) {
    flights.remove(key);
  }

  /** How many flights are in the air (for tests: none once every get is answered). */
  int inFlight() {
    return flights.size();
  }

  private void join(String key, Supplier<CompletionStage<EntryData>> ask, CompletableFuture<EntryData> mine,
      long askedAt, boolean again) {
    // Looked up first: in a stampede nearly every get joins, and a lookup neither allocates nor
    // locks the map's bin as putIfAbsent does.
    CompletableFuture<EntryData> flight = flights.get(key);
    CompletableFuture<EntryData> fresh = null;
    if (flight == null) {
      fresh = new CompletableFuture<>();
      flight = flights.putIfAbsent(key, fresh);
    }
    if (flight == null) {
      flight = fresh;
      start(key, ask, fresh);
      if (!again) { // the first get's own request: its timeout is this get's
        flight.whenComplete((data, error) -> answer(mine, data, error));
        return;
      }
    }
    flight.whenComplete((data, error) -> {
      long left = timeoutNanos - (System.nanoTime() - askedAt);
      if (error != null && isTimeout(error) && left > 0 && !mine.isDone()) {
        if (!again) { // this get joined late: it waits out its own time, and no longer
          CompletableFuture.delayedExecutor(left, TimeUnit.NANOSECONDS).execute(() -> mine.completeExceptionally(
              new KckTimeoutException(key, "No answer from key '" + key + "' within " + timeout, null)));
        }
        join(key, ask, mine, askedAt, true);
      } else {
        answer(mine, data, error);
      }
    });
  }

  private void start(String key, Supplier<CompletionStage<EntryData>> ask, CompletableFuture<EntryData> flight) {
    CompletionStage<EntryData> asked;
    try {
      asked = ask.get();
    } catch (RuntimeException e) {
      flights.remove(key, flight);
      flight.completeExceptionally(e);
      return;
    }
    asked.whenComplete((data, error) -> {
      flights.remove(key, flight); // first: a get from now on asks again
      if (error != null) {
        flight.completeExceptionally(error);
      } else {
        flight.complete(data);
      }
    });
  }

  private static void answer(CompletableFuture<EntryData> mine, EntryData data, Throwable error) {
    if (error != null) {
      mine.completeExceptionally(error);
    } else {
      mine.complete(data);
    }
  }

  private static boolean isTimeout(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause instanceof KckTimeoutException;
  }
}
