package io.kck.persistence;

import io.kck.persistence.KckDatabaseProvider.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node reaches KCK's PostgreSQL, and finds KCK's tables there, known within about a
 * second: one query on a connection of its own, every {@code kck.database.health.probe-interval} (more often while the
 * database is unreachable, and at once when a key reports a journal failure), each bounded by
 * {@code probe-timeout}. A stopped server refuses at once; a frozen one runs into the timeout.
 * What depends on it: requests that would need the database fail fast while it is unreachable
 * instead of waiting for it, and gets are answered from the values this node holds.
 *
 * <p>Probes run on a thread of their own, never on an actor. Thread-safe.
 */
public final class DatabaseHealth implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseHealth.class);

  private final DatabaseSettings database;
  private final Duration interval;
  private final Duration retryInterval;
  private final Duration timeout;
  private final ScheduledExecutorService prober;
  private final List<Runnable> whenDown = new CopyOnWriteArrayList<>();
  private final String query;
  private final List<String> tables;
  private volatile Instant downSince;
  private volatile boolean schemaPresent = true;
  private Connection connection; // only on the prober's thread

  /** {@code tables}: the quoted names of the tables KCK needs (journal, snapshots). */
  public DatabaseHealth(DatabaseSettings database, Duration interval, Duration retryInterval, Duration timeout,
      List<String> tables) {
    this.database = database;
    this.tables = List.copyOf(tables);
    this.query = "SELECT " + String.join(" AND ", tables.stream().map(table -> "to_regclass(?) IS NOT NULL").toList());
    this.interval = interval;
    this.retryInterval = retryInterval;
    this.timeout = timeout;
    this.prober = Executors.newSingleThreadScheduledExecutor(work -> {
      Thread thread = new Thread(work, "kck-database-probe");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts probing. */
  public DatabaseHealth start() {
    prober.schedule(this::probe, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Whether the last probe reached the database. */
  public boolean available() {
    return downSince == null;
  }

  /** Whether the last probe that reached the database found KCK's tables. */
  public boolean schemaPresent() {
    return schemaPresent;
  }

  /** Since when the database is unreachable, or null. */
  public Instant downSince() {
    return downSince;
  }

  /** Runs {@code action} (quickly; on the prober's thread) each time the database becomes unreachable. */
  public void onDown(Runnable action) {
    whenDown.add(action);
  }

  /** A key's journal failed: probe now rather than at the next interval. */
  public void suspect() {
    if (!prober.isShutdown()) {
      prober.execute(this::probeOnce);
    }
  }

  private void probe() {
    probeOnce();
    if (!prober.isShutdown()) {
      prober.schedule(this::probe, (available() ? interval : retryInterval).toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void probeOnce() {
    try {
      if (connection == null || connection.isClosed()) {
        connection = connect();
      }
      try (PreparedStatement statement = connection.prepareStatement(query)) {
        statement.setQueryTimeout(seconds(timeout));
        for (int i = 0; i < tables.size(); i++) {
          statement.setString(i + 1, tables.get(i));
        }
        try (ResultSet result = statement.executeQuery()) {
          schemaPresent = result.next() && result.getBoolean(1);
        }
      }
      if (downSince != null) {
        // WARN as the line that said it went: a log read at WARN shows when the outage ended too.
        log.warn("KCK's database is reachable again after {} s",
            String.format(Locale.ROOT, "%.1f", Duration.between(downSince, Instant.now()).toMillis() / 1000.0));
        downSince = null;
      }
    } catch (SQLException | RuntimeException e) {
      closeQuietly();
      if (downSince == null) {
        downSince = Instant.now();
        log.warn("KCK's database is unreachable ({}); requests that need it fail fast until it is back", e.toString());
        whenDown.forEach(Runnable::run);
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", database.user());
    properties.setProperty("password", database.password());
    // pgjdbc's timeouts, in seconds: a frozen server must not hang the probe.
    properties.setProperty("connectTimeout", Integer.toString(seconds(timeout)));
    properties.setProperty("socketTimeout", Integer.toString(seconds(timeout)));
    properties.setProperty("loginTimeout", Integer.toString(seconds(timeout)));
    properties.setProperty("ApplicationName", "kck-database-probe");
    return DriverManager.getConnection(database.jdbcUrl(), properties);
  }

  private static int seconds(Duration duration) {
    return (int) Math.max(1, (duration.toMillis() + 999) / 1000);
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // it is broken anyway
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    prober.shutdownNow();
  }
}
