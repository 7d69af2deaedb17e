package io.kck.http;

import io.kck.Entry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Reads without a token of keys whose every read computes (always-fresh primers): at most one of
 * them per key starts a compute per {@code kck.http.anonymous-computes.interval}. A read within
 * the interval shares the compute running, or gets its outcome again; either way the entry says
 * {@code stale: true}, since its compute did not start after the read arrived, as always-fresh
 * promises. So whoever reaches the port can make a key compute at most once an interval, however
 * many requests it sends, and an honest reader still gets the latest value there is. The last
 * outcomes are kept for {@code max-keys} keys, least recently read first out.
 *
 * <p>Thread-safe: the table is touched under this object's lock, and computes start outside it.
 */
final class AnonymousComputes {
  private final long intervalNanos;
  private final Map<String, Outcome> outcomes;

  /** When the key's last compute started, and how it ended (or will). */
  private record Outcome(long startedAt, CompletableFuture<Entry<Object>> entry) {}

  AnonymousComputes(Duration interval, int maxKeys) {
    this.intervalNanos = interval.toNanos();
    this.outcomes = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Outcome> eldest) {
        return size() > maxKeys;
      }
    };
  }

  /** The entry of {@code key}: {@code read}'s, when the key may compute now, else the last one, stale. */
  CompletionStage<Entry<Object>> read(String key, Supplier<CompletionStage<Entry<Object>>> read) {
    if (intervalNanos == 0) {
      return read.get();
    }
    long now = System.nanoTime();
    CompletableFuture<Entry<Object>> mine = new CompletableFuture<>();
    synchronized (this) {
      Outcome last = outcomes.get(key);
      if (last != null && now - last.startedAt() < intervalNanos) {
        return last.entry().thenApply(AnonymousComputes::stale);
      }
      outcomes.put(key, new Outcome(now, mine));
    }
    CompletionStage<Entry<Object>> started;
    try {
      started = read.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e); // its waiters hear it too
    }
    started.whenComplete((entry, error) -> {
      if (error != null) {
        mine.completeExceptionally(error);
      } else {
        mine.complete(entry);
      }
    });
    return mine;
  }

  private static Entry<Object> stale(Entry<Object> entry) {
    return new Entry<>(entry.key(), entry.value(), entry.version(), entry.computedAt(), true, entry.refreshing(),
        entry.lastError(), entry.nextAttemptAt(), entry.freshUntil());
  }
}
