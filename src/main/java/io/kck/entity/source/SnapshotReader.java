package io.kck.entity.source;

import io.kck.entity.SourceSnapshots;
import io.kck.entity.TxnSnapshot;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the source database for its snapshot ({@code pg_current_snapshot()}, PostgreSQL 13 and
 * later; {@code txid_current_snapshot()} before) around the computes of primers with sources: one
 * statement in autocommit (about 0.05 ms on a local server), on one of at most {@code
 * kck.sources.snapshot-connections} connections kept open (opening one costs far more than the
 * query); a compute that finds them all busy waits for one. Thread-safe. A failure, or no
 * connection within {@code kck.sources.snapshot-wait}, answers null (the compute's value then counts as possibly holding every change)
 * and is logged at most once a minute.
 */
final class SnapshotReader implements SourceSnapshots, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnapshotReader.class);
  /** PostgreSQL's "undefined function": a server older than 13, without pg_current_snapshot(). */
  private static final String UNDEFINED_FUNCTION = "42883";

  private final SourceDatabase database;
  private final Duration wait;
  private final Semaphore permits;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private final AtomicLong lastWarningMillis = new AtomicLong();
  private volatile String query = "SELECT pg_current_snapshot()::text";
  private volatile boolean closed;

  SnapshotReader(SourceDatabase database, int connections, Duration wait) {
    this.database = database;
    this.permits = new Semaphore(connections);
    this.wait = wait;
  }

  @Override
  public TxnSnapshot now() {
    try {
      if (!permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        warn("no connection to it was free within kck.sources.snapshot-wait = " + wait);
        return null;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the compute is cancelled: its value is not stored
      return null;
    }
    try {
      Connection kept = idle.pollFirst();
      if (kept != null) {
        try {
          return keep(kept, ask(kept));
        } catch (SQLException | RuntimeException e) {
          close(kept); // it went stale (the server restarted, say): a new one asks again
        }
      }
      Connection connection = null;
      try {
        connection = database.connect();
        return keep(connection, ask(connection));
      } catch (SQLException | RuntimeException e) {
        close(connection);
        warn(e.toString());
        return null;
      }
    } finally {
      permits.release();
    }
  }

  private void warn(String why) {
    long now = System.currentTimeMillis();
    long last = lastWarningMillis.get();
    if (now - last > 60_000 && lastWarningMillis.compareAndSet(last, now)) {
      log.warn("Cannot read the source database's snapshot around a compute; the values computed meanwhile are"
          + " dropped by the next change of their rows rather than told it: {}", why);
    }
  }

  private TxnSnapshot ask(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      try (ResultSet row = statement.executeQuery(query)) {
        row.next();
        return TxnSnapshot.parse(row.getString(1));
      } catch (SQLException e) {
        if (!UNDEFINED_FUNCTION.equals(e.getSQLState())) {
          throw e;
        }
      }
      query = "SELECT txid_current_snapshot()::text"; // the same form, before PostgreSQL 13
      try (ResultSet row = statement.executeQuery(query)) {
        row.next();
        return TxnSnapshot.parse(row.getString(1));
      }
    }
  }

  private TxnSnapshot keep(Connection connection, TxnSnapshot snapshot) {
    if (closed) {
      close(connection);
    } else {
      idle.addFirst(connection);
      if (closed) {
        close(); // closed meanwhile: nothing is left open
      }
    }
    return snapshot;
  }

  private static void close(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("Closing a snapshot connection: {}", e.toString());
      }
    }
  }

  /** Closes the connections kept; an ask after this opens and closes its own. */
  @Override
  public void close() {
    closed = true;
    Connection connection;
    while ((connection = idle.pollFirst()) != null) {
      close(connection);
    }
  }
}
