package io.kck.entity.key;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a person reads of keys' journal failures on one node: at most one line per key per {@code
 * kck.entity.journal-failure-log-window}, without a stack trace, saying what failed and how many
 * failures the window kept quiet. During an outage every key that must load or write restarts every
 * second or so; Akka's supervisor would log each restart as an ERROR with a stack trace (it logs
 * them at DEBUG instead). The database's going and coming back is logged once per node by {@code
 * DatabaseHealth}. Logged under {@link JournaledKey}, the part that restarts the key. Thread-safe:
 * every key of a node shares it.
 */
final class JournalFailures {
  // By name, and JournaledKey's: operators filter on it (docs/operations.md, OutageLogTest), and a
  // reference to the class would knot this node-wide part to the actor that uses it.
  private static final Logger log = LoggerFactory.getLogger("io.kck.entity.key.JournaledKey");
  // Past this many keys in their windows, windows that ended are dropped (the map stays small).
  private static final int PRUNE_ABOVE = 10_000;

  private final long windowNanos;
  private final LongSupplier nanoTime;
  private final String windowText;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  /** One key's window: when its last logged failure was, and how many came after it unlogged. */
  private record Window(long loggedAt, AtomicInteger quiet) {}

  JournalFailures(Duration window) {
    this(window, System::nanoTime);
  }

  /** With the clock of its windows given (tests move it by hand). */
  JournalFailures(Duration window, LongSupplier nanoTime) {
    if (window.isNegative()) {
      throw new IllegalArgumentException("kck.entity.journal-failure-log-window must not be negative, got " + window);
    }
    this.windowText = window.toMillis() % 1000 == 0 ? window.toSeconds() + "s" : window.toMillis() + "ms";
    this.windowNanos = window.toNanos();
    this.nanoTime = nanoTime;
  }

  /** Key {@code key} could not load its state ({@code cause}); it restarts after a backoff. */
  void loadFailed(String key, Throwable cause) {
    failed(key, "cannot load its state from the journal", cause);
  }

  /** Key {@code key} could not write an event; it restarts after a backoff. */
  void writeFailed(String key) {
    failed(key, "could not write to the journal", null);
  }

  private void failed(String key, String what, Throwable cause) {
    long now = nanoTime.getAsLong();
    AtomicBoolean logNow = new AtomicBoolean();
    AtomicInteger quietBefore = new AtomicInteger();
    windows.compute(key, (k, open) -> {
      if (open == null || now - open.loggedAt() >= windowNanos) {
        logNow.set(true);
        quietBefore.set(open == null ? 0 : open.quiet().get());
        return new Window(now, new AtomicInteger());
      }
      open.quiet().incrementAndGet();
      return open;
    });
    if (logNow.get()) {
      log.warn("Key '{}' {}{}; it restarts and tries again (kck.entity.journal-backoff-min/max){}; its next failures"
              + " within {} are not logged", key, what, cause == null ? "" : ": " + reason(cause),
          quietBefore.get() == 0 ? "" : " after " + quietBefore.get() + " more failures since its last line", windowText);
    }
    if (windows.size() > PRUNE_ABOVE) {
      windows.values().removeIf(open -> now - open.loggedAt() >= windowNanos);
    }
  }

  /** The innermost message there is (Akka's wrapper names the key again), its first line. */
  private static String reason(Throwable cause) {
    String text = cause.toString();
    for (Throwable inner = cause.getCause(); inner != null && inner != inner.getCause(); inner = inner.getCause()) {
      if (inner.getMessage() != null) {
        text = inner.getMessage();
      }
    }
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
