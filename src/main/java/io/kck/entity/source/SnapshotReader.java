package io.kck.entity.source;

import io.kck.entity.SourceSnapshots;
import io.kck.entity.TxnSnapshot;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the source database for its snapshot ({@code pg_current_snapshot()}, PostgreSQL 13 and
 * later; {@code txid_current_snapshot()} before) around the computes of primers with sources. One
 * statement in autocommit on a connection kept for the next ask (at most {@link #MAX_IDLE} are
 * kept; more computes at once open more, closed after). Thread-safe. A failure answers null (the
 * compute's value then counts as possibly holding every change) and is logged at most once a minute.
 */
final class SnapshotReader implements SourceSnapshots, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnapshotReader.class);
  private static final int MAX_IDLE = 8;
  /** PostgreSQL's "undefined function": a server older than 13, without pg_current_snapshot(). */
  private static final String UNDEFINED_FUNCTION = "42883";

  private final SourceDatabase database;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private final AtomicLong lastWarningMillis = new AtomicLong();
  private volatile String query = "SELECT pg_current_snapshot()::text";
  private volatile boolean closed;

  SnapshotReader(SourceDatabase database) {
    this.database = database;
  }

  @Override
  public TxnSnapshot now() {
    Connection kept = idle.pollFirst();
    if (kept != null) {
      idleCount.decrementAndGet();
      try {
        TxnSnapshot snapshot = ask(kept);
        release(kept);
        return snapshot;
      } catch (SQLException | RuntimeException e) {
        close(kept); // it went stale (the server restarted, say): a new one asks again
      }
    }
    Connection connection = null;
    try {
      connection = database.connect();
      TxnSnapshot snapshot = ask(connection);
      release(connection);
      return snapshot;
    } catch (SQLException | RuntimeException e) {
      close(connection);
      long now = System.currentTimeMillis();
      long last = lastWarningMillis.get();
      if (now - last > 60_000 && lastWarningMillis.compareAndSet(last, now)) {
        log.warn("Cannot read the source database's snapshot around a compute; the values computed meanwhile are"
            + " dropped by the next change of their rows rather than told it: {}", e.toString());
      }
      return null;
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

  private void release(Connection connection) {
    if (!closed && idleCount.incrementAndGet() <= MAX_IDLE) {
      idle.addFirst(connection);
    } else {
      idleCount.decrementAndGet();
      close(connection);
    }
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
