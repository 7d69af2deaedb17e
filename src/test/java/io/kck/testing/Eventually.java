package io.kck.testing;

import io.kck.Kck;
import io.kck.KeyInfo;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * The one way tests wait for something that happens asynchronously: poll an observation until it
 * is what the test needs, for a bounded time. Every wait is named; one that times out fails with
 * that name, how long it waited, and the last thing it saw (a value, or the exception the
 * observation threw), so a red run says what did not happen instead of only that something did
 * not.
 *
 * <p>Polling starts at 5 ms and backs off to 100 ms: a busy machine gets the whole {@code within}
 * to catch up, a quiet one answers within milliseconds.
 */
public final class Eventually {
  /** The default bound: generous, because CI machines are shared and sometimes slow. */
  public static final Duration PATIENCE = Duration.ofSeconds(30);

  private Eventually() {}

  /** Something to look at; may throw (that counts as "not yet", and is reported if it lasts). */
  @FunctionalInterface
  public interface Observation<T> {
    T observe() throws Exception;
  }

  /** An assertion to retry until it passes. */
  @FunctionalInterface
  public interface Check {
    void run() throws Exception;
  }

  /**
   * Observes until {@code done} accepts what it sees, and returns that.
   *
   * @param what what the test waits for, completing "waited ... for ___"
   */
  public static <T> T until(String what, Duration within, Observation<T> observation, Predicate<? super T> done) {
    long deadline = System.nanoTime() + within.toNanos();
    long pauseNanos = TimeUnit.MILLISECONDS.toNanos(5);
    Object lastSeen = "nothing yet";
    while (true) {
      try {
        T seen = observation.observe();
        if (done.test(seen)) {
          return seen;
        }
        lastSeen = seen;
      } catch (Exception | AssertionError e) {
        lastSeen = e;
      }
      if (System.nanoTime() >= deadline) {
        AssertionError timeout = new AssertionError("Waited " + within + " for " + what + "; last saw: " + lastSeen);
        if (lastSeen instanceof Throwable cause) {
          timeout.initCause(cause);
        }
        throw timeout;
      }
      LockSupport.parkNanos(pauseNanos);
      pauseNanos = Math.min(pauseNanos * 2, TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /** {@link #until(String, Duration, Observation, Predicate)} within {@link #PATIENCE}. */
  public static <T> T until(String what, Observation<T> observation, Predicate<? super T> done) {
    return until(what, PATIENCE, observation, done);
  }

  /** Retries {@code check} until it passes (an assertion that fails counts as "not yet"). */
  public static void passes(String what, Duration within, Check check) {
    until(what, within, () -> {
      check.run();
      return true;
    }, passed -> true);
  }

  /** {@link #passes(String, Duration, Check)} within {@link #PATIENCE}. */
  public static void passes(String what, Check check) {
    passes(what, PATIENCE, check);
  }

  /** Waits until a get of {@code key} answers {@code expected}; returns it. */
  public static Object value(Kck kck, String key, Object expected) {
    return until(key + " to be " + expected, () -> Stages.await(kck.get(key)), seen -> Objects.equals(seen, expected));
  }

  /** Waits until {@code counter} (a primer's compute count, say) is exactly {@code expected}. */
  public static void count(String what, IntSupplier counter, int expected) {
    until(what + " to be " + expected, counter::getAsInt, seen -> seen == expected);
  }

  /** Waits until {@code counter} reaches at least {@code minimum}; returns what it reached. */
  public static int atLeast(String what, Duration within, IntSupplier counter, int minimum) {
    return until(what + " to reach " + minimum, within, counter::getAsInt, seen -> seen >= minimum);
  }

  /** Waits until the status of {@code key}'s actor satisfies {@code condition}, named {@code what}. */
  public static KeyInfo status(Kck kck, String key, String what, Predicate<KeyInfo> condition) {
    return until(key + " " + what, () -> KeyStatuses.of(kck, key), condition);
  }
}
