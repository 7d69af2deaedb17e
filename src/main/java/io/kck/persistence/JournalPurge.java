package io.kck.persistence;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the rows a key no longer needs, in the background: the snapshots older than its {@code
 * kck.entity.keep-snapshots} newest ones and the events up to the oldest kept snapshot (never the
 * key's last event, which the journal reads its next sequence number from).
 *
 * <p>Akka's own retention ({@code withDeleteEventsOnSnapshot}) deletes from the key's actor, and
 * on PostgreSQL that deletion made every put about twice as slow. Here a key only says that it
 * saved a snapshot ({@link #snapshotted}); one thread of this node deletes for a batch of keys at
 * a time over one connection of the journal's pool, so no put waits for a deletion and the
 * journal's writes keep the rest of the pool.
 *
 * <p>Nothing here is needed for correctness: a key reads its newest snapshot and the events after
 * it, which are never deleted. So a purge that fails (the database is away) or that this node
 * never gets to (it crashed, or more than {@code max-pending-keys} keys waited) is not retried:
 * the key's next snapshot purges everything behind it. Thread-safe.
 */
public final class JournalPurge implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JournalPurge.class);

  private final JournalRows rows;
  private final int keepSnapshots;
  private final int maxPendingKeys;
  private final int batchSize;
  private final ExecutorService thread = JournalRows.ownThread("kck-journal-purge");
  private final Set<String> pending = new LinkedHashSet<>(); // persistence ids, guarded by this
  private boolean draining; // guarded by this
  private long dropped; // guarded by this

  JournalPurge(JournalRows rows, Config kck) {
    this.rows = rows;
    this.keepSnapshots = kck.getInt("entity.keep-snapshots");
    this.maxPendingKeys = kck.getInt("entity.purge.max-pending-keys");
    this.batchSize = kck.getInt("entity.purge.batch-size");
    if (keepSnapshots < 1 || maxPendingKeys < 1 || batchSize < 1) {
      throw new IllegalArgumentException("kck.entity.keep-snapshots, kck.entity.purge.max-pending-keys and"
          + " kck.entity.purge.batch-size must be at least 1, got " + keepSnapshots + ", " + maxPendingKeys + ", "
          + batchSize);
    }
  }

  /** The key of {@code persistenceId} saved a snapshot: purge what is behind it, soon. Never blocks. */
  public void snapshotted(String persistenceId) {
    synchronized (this) {
      if (pending.size() >= maxPendingKeys && !pending.contains(persistenceId)) {
        dropped++;
        return;
      }
      pending.add(persistenceId);
      if (draining) {
        return;
      }
      draining = true;
    }
    try {
      thread.execute(this::drain);
    } catch (RejectedExecutionException closed) {
      // The node is stopping: what is left waits for the keys' next snapshots.
    }
  }

  /** How many keys were passed over because {@code max-pending-keys} keys waited already. */
  synchronized long dropped() {
    return dropped;
  }

  private void drain() {
    while (true) {
      List<String> batch = new ArrayList<>(batchSize);
      synchronized (this) {
        Iterator<String> next = pending.iterator();
        while (next.hasNext() && batch.size() < batchSize) {
          batch.add(next.next());
          next.remove();
        }
        if (batch.isEmpty()) {
          draining = false;
          return;
        }
      }
      try {
        purge(batch);
      } catch (SQLException | RuntimeException e) {
        LOG.warn("Could not purge the old journal rows of {} key(s); their next snapshots will: {}", batch.size(),
            e.toString());
      }
    }
  }

  /**
   * Two statements per key, one transaction per batch. Old snapshots first, so that "the oldest
   * kept snapshot" is what the event deletion reads; the key's concurrent writes add rows above
   * both bounds and are never touched.
   */
  private void purge(List<String> persistenceIds) throws SQLException {
    String snapshots = rows.snapshots();
    String events = rows.events();
    String oldSnapshots = "DELETE FROM " + snapshots + " WHERE persistence_id = ? AND sequence_number < ("
        + "SELECT min(sequence_number) FROM (SELECT sequence_number FROM " + snapshots
        + " WHERE persistence_id = ? ORDER BY sequence_number DESC LIMIT ?) AS kept)";
    String oldEvents = "DELETE FROM " + events + " WHERE persistence_id = ?"
        + " AND sequence_number <= (SELECT min(sequence_number) FROM " + snapshots + " WHERE persistence_id = ?)"
        + " AND sequence_number < (SELECT max(sequence_number) FROM " + events + " WHERE persistence_id = ?)";
    try (Connection connection = rows.connection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement deleteSnapshots = connection.prepareStatement(oldSnapshots);
          PreparedStatement deleteEvents = connection.prepareStatement(oldEvents)) {
        for (String persistenceId : persistenceIds) {
          deleteSnapshots.setString(1, persistenceId);
          deleteSnapshots.setString(2, persistenceId);
          deleteSnapshots.setInt(3, keepSnapshots);
          deleteSnapshots.addBatch();
          deleteEvents.setString(1, persistenceId);
          deleteEvents.setString(2, persistenceId);
          deleteEvents.setString(3, persistenceId);
          deleteEvents.addBatch();
        }
        deleteSnapshots.executeBatch();
        deleteEvents.executeBatch();
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
