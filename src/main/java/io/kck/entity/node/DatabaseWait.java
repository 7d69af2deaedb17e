package io.kck.entity.node;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@code Kck.start} waits for a PostgreSQL that does not accept connections yet (still starting,
 * restarting, its network not up): it tries again with a growing pause (a quarter of a second,
 * doubling, at most five seconds) until {@code kck.database.start-timeout} has passed, logging one
 * line per attempt that says why, and fails only then. A failure that waiting does not cure (a
 * wrong password, a missing database, an SQL error) fails at once. Runs on the thread of {@code
 * Kck.start}, which blocks meanwhile; not thread-safe, one per start.
 */
final class DatabaseWait {
  private static final Logger log = LoggerFactory.getLogger(DatabaseWait.class);
  private static final Duration FIRST_PAUSE = Duration.ofMillis(250);
  private static final Duration LONGEST_PAUSE = Duration.ofSeconds(5);

  /** Work that needs the database. */
  interface Attempt {
    void run() throws Exception;
  }

  private final Duration timeout;
  private final Consumer<String> status;

  /** {@code status} hears, after each failed attempt, what the node waits for (for readiness). */
  DatabaseWait(Duration timeout, Consumer<String> status) {
    this.timeout = timeout;
    this.status = status;
  }

  /**
   * Runs {@code attempt} until it succeeds, or fails with what waiting cannot cure, or the start
   * timeout has passed.
   *
   * @throws Exception the last attempt's failure
   * @throws InterruptedException if the starting thread is interrupted while it waits
   */
  void until(String what, Attempt attempt) throws Exception {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    Duration pause = FIRST_PAUSE;
    for (int number = 1; ; number++) {
      try {
        attempt.run();
        if (number > 1) {
          log.info("KCK's database accepts connections after {} ms and {} attempts: {}",
              (System.nanoTime() - started) / 1_000_000, number, what);
        }
        return;
      } catch (Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        long left = deadline - System.nanoTime();
        if (!notYetReachable(cause) || left <= 0) {
          throw e;
        }
        Duration wait = pause.toNanos() < left ? pause : Duration.ofNanos(left);
        String reason = "KCK's database does not accept connections yet (attempt " + number + ", "
            + (System.nanoTime() - started) / 1_000_000 + " ms of kck.database.start-timeout = " + text(timeout) + "): "
            + firstLine(cause);
        log.warn("{}; {} waits, next attempt in {} ms", reason, what, wait.toMillis());
        status.accept(reason);
        Thread.sleep(wait.toMillis()); // Kck.start blocks until the database answers: this is that wait
        pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
      }
    }
  }

  /**
   * Whether {@code failure} says the server is not there (yet): a connection that could not be
   * opened (SQLState class 08, or the pool's timeout), a server still starting (57P03), or one out
   * of connections (53300). Not a refused password (28P01) or a missing database (3D000).
   */
  static boolean notYetReachable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof SQLTransientConnectionException) {
        return true;
      }
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.equals("57P03") || state.equals("53300")) {
          return true;
        }
      }
      if (cause instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }

  /** A duration as HOCON writes it: {@code 60s}, {@code 1500ms}. */
  static String text(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }

  private static String firstLine(Throwable failure) {
    String text = String.valueOf(failure.getMessage());
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
