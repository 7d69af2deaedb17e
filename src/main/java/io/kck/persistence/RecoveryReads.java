package io.kck.persistence;

import akka.persistence.SelectedSnapshot;
import akka.persistence.SnapshotMetadata;
import akka.persistence.SnapshotSelectionCriteria;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * The two reads every key makes when it starts, asked for many keys at once: its newest snapshot
 * (by the criteria of its recovery) and its highest sequence number. A key that starts for the
 * first time finds nothing in either, and a stampede of new keys used to cost two queries per key,
 * each on a connection of its own; here each read waits in a queue, and a read thread that is free
 * takes every read of its kind waiting (up to {@value #MAX_KEYS} keys) and answers them with one
 * query. A lone read goes at once, alone: nothing waits to fill a batch (as {@link GroupCommit}
 * does for writes).
 *
 * <p>A key's recovery asks for its snapshot first and its highest sequence number next, each a
 * round trip while the key holds one of Akka's recovery permits ({@code
 * akka.persistence.max-concurrent-recoveries}). So the snapshot query reads each key's highest
 * sequence number too, in the same statement, and keeps it for that key's next read of it, which
 * then needs no query: a new key's recovery is one round trip, not two. The number is as true as
 * a read of its own: only the key's one actor writes its events, and it writes none while it
 * recovers (it asks for the number to know where to go on). A kept number is taken by the first
 * read of it and is used only within {@value #KEPT_NANOS} ns of its query (a key stopped between
 * its two reads leaves one behind, replaced by its next recovery's snapshot read), and at most
 * {@value #MAX_KEPT} are kept; otherwise the read queries as before.
 *
 * <p>Each key's answer is its own: a snapshot that cannot be deserialized fails that key's load
 * only; a failed query fails the reads of its batch, as it would have failed each of them alone.
 * Thread-safe.
 */
final class RecoveryReads {
  /** Keys per query at most: one array parameter each, so PostgreSQL's limit on parameters does not apply. */
  static final int MAX_KEYS = 1000;
  /** How long a highest sequence number read with a snapshot stays usable: far more than the hand-offs between the two reads. */
  static final long KEPT_NANOS = 10_000_000_000L;
  /** Highest sequence numbers kept at most (a few per key starting now in practice). */
  static final int MAX_KEPT = 100_000;

  private final JournalDatabase database;
  private final Executor threads;
  private final Queue<HighestRead> highest = new ConcurrentLinkedQueue<>();
  private final Queue<SnapshotRead> snapshots = new ConcurrentLinkedQueue<>();
  // Highest sequence numbers read with the keys' snapshots, each for its key's next read of it.
  private final Map<String, Kept> kept = new ConcurrentHashMap<>();

  RecoveryReads(JournalDatabase database, Executor threads) {
    this.database = database;
    this.threads = threads;
  }

  private record Kept(long highest, long readAt) {}

  private record HighestRead(String persistenceId, CompletableFuture<Long> result) {}

  private record SnapshotRead(String persistenceId, SnapshotSelectionCriteria criteria,
      CompletableFuture<Optional<SelectedSnapshot>> result) {}

  /** The highest sequence number journaled for {@code persistenceId}, deleted rows included (0 when none). */
  CompletableFuture<Long> highestSequenceNr(String persistenceId) {
    Kept known = kept.remove(persistenceId);
    if (known != null && System.nanoTime() - known.readAt() < KEPT_NANOS) {
      return CompletableFuture.completedFuture(known.highest()); // read with its snapshot, a moment ago
    }
    HighestRead read = new HighestRead(persistenceId, new CompletableFuture<>());
    highest.add(read);
    submit(this::readHighest, read.result());
    return read.result();
  }

  /** The newest snapshot of {@code persistenceId} that {@code criteria} select, or empty. */
  CompletableFuture<Optional<SelectedSnapshot>> latestSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
    SnapshotRead read = new SnapshotRead(persistenceId, criteria, new CompletableFuture<>());
    snapshots.add(read);
    submit(this::readSnapshots, read.result());
    return read.result();
  }

  /**
   * One task per read: the first to run takes every read waiting, the others find fewer or none
   * (and return at once, without a connection), so batches grow with the load by themselves.
   */
  private void submit(Runnable task, CompletableFuture<?> result) {
    try {
      threads.execute(task);
    } catch (RuntimeException rejected) { // the system terminates: nobody would take it
      result.completeExceptionally(rejected);
    }
  }

  private static <T> List<T> take(Queue<T> queue) {
    List<T> batch = new ArrayList<>();
    for (T next = batch.size() < MAX_KEYS ? queue.poll() : null; next != null;
         next = batch.size() < MAX_KEYS ? queue.poll() : null) {
      batch.add(next);
    }
    return batch;
  }

  @jdk.jfr.Name("io.kck.RecoveryRead")
  @jdk.jfr.Label("KCK recovery read")
  @jdk.jfr.Category({"KCK"})
  @jdk.jfr.Description("One query of the reads of keys that start, from taking a connection to the last answer")
  @jdk.jfr.StackTrace(false)
  static final class Read extends jdk.jfr.Event {
    @jdk.jfr.Label("Kind") @jdk.jfr.Description("snapshot (with the highest sequence number) or highest") String kind;
    @jdk.jfr.Label("Keys") int keys;
  }

  private void readHighest() {
    List<HighestRead> batch = take(highest);
    if (batch.isEmpty()) {
      return;
    }
    Read trace = new Read();
    trace.begin();
    readHighest(batch);
    trace.kind = "highest";
    trace.keys = batch.size();
    trace.commit();
  }

  private void readHighest(List<HighestRead> batch) {
    try (Connection connection = database.connection();
         PreparedStatement select = connection.prepareStatement("SELECT k.id, (SELECT max(sequence_number) FROM "
             + database.events() + " e WHERE e.persistence_id = k.id) FROM unnest(?::text[]) AS k(id)")) {
      Array ids = connection.createArrayOf("text", batch.stream().map(HighestRead::persistenceId).toArray());
      select.setArray(1, ids);
      Map<String, Long> found = new HashMap<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          found.put(rows.getString(1), Math.max(rows.getLong(2), 0L)); // null (no rows): 0
        }
      }
      ids.free();
      for (HighestRead read : batch) {
        read.result().complete(found.getOrDefault(read.persistenceId(), 0L));
      }
    } catch (Exception | LinkageError e) {
      batch.forEach(read -> read.result().completeExceptionally(e));
    }
  }

  private void readSnapshots() {
    List<SnapshotRead> batch = take(snapshots);
    if (batch.isEmpty()) {
      return;
    }
    Read trace = new Read();
    trace.begin();
    readSnapshots(batch);
    trace.kind = "snapshot";
    trace.keys = batch.size();
    trace.commit();
  }

  private void readSnapshots(List<SnapshotRead> batch) {
    int size = batch.size();
    Object[] ids = new Object[size];
    Object[] maxSequenceNrs = new Object[size];
    Object[] maxTimestamps = new Object[size];
    Object[] minSequenceNrs = new Object[size];
    Object[] minTimestamps = new Object[size];
    for (int i = 0; i < size; i++) {
      SnapshotRead read = batch.get(i);
      ids[i] = read.persistenceId();
      maxSequenceNrs[i] = read.criteria().maxSequenceNr();
      maxTimestamps[i] = read.criteria().maxTimestamp();
      minSequenceNrs[i] = read.criteria().minSequenceNr();
      minTimestamps[i] = read.criteria().minTimestamp();
    }
    // Each key's newest selected snapshot by its own criteria, and its highest sequence number (as
    // readHighest reads it) for the read that follows: two index probes per key, one statement.
    String sql = "SELECT k.i, s.sequence_number, s.created, s.snapshot_ser_id, s.snapshot_ser_manifest,"
        + " s.snapshot_payload, s.meta_ser_id, s.meta_ser_manifest, s.meta_payload,"
        + " (SELECT max(e.sequence_number) FROM " + database.events() + " e WHERE e.persistence_id = k.id)"
        + " FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])"
        + " WITH ORDINALITY AS k(id, max_seq, max_ts, min_seq, min_ts, i)"
        + " LEFT JOIN LATERAL (SELECT * FROM " + database.snapshots() + " x WHERE x.persistence_id = k.id"
        + " AND x.sequence_number <= k.max_seq AND x.created <= k.max_ts AND x.sequence_number >= k.min_seq"
        + " AND x.created >= k.min_ts ORDER BY x.sequence_number DESC LIMIT 1) s ON true";
    Map<Integer, Optional<SelectedSnapshot>> found = new HashMap<>();
    Map<Integer, Exception> unreadable = new HashMap<>();
    try (Connection connection = database.connection(); PreparedStatement select = connection.prepareStatement(sql)) {
      select.setArray(1, connection.createArrayOf("text", ids));
      select.setArray(2, connection.createArrayOf("bigint", maxSequenceNrs));
      select.setArray(3, connection.createArrayOf("bigint", maxTimestamps));
      select.setArray(4, connection.createArrayOf("bigint", minSequenceNrs));
      select.setArray(5, connection.createArrayOf("bigint", minTimestamps));
      try (ResultSet row = select.executeQuery()) {
        long readAt = System.nanoTime();
        while (row.next()) {
          int index = (int) row.getLong(1) - 1;
          keep(batch.get(index).persistenceId(), Math.max(row.getLong(10), 0L), readAt); // null (no rows): 0
          if (row.getObject(2) == null) {
            continue; // no snapshot selected: found nothing
          }
          try {
            found.put(index, Optional.of(snapshot(batch.get(index).persistenceId(), row)));
          } catch (Exception e) { // this key's snapshot does not deserialize: its load fails, not the others'
            unreadable.put(index, e);
          }
        }
      }
    } catch (Exception | LinkageError e) {
      batch.forEach(read -> read.result().completeExceptionally(e));
      return;
    }
    for (int i = 0; i < size; i++) {
      Exception failed = unreadable.get(i);
      if (failed != null) {
        batch.get(i).result().completeExceptionally(failed);
      } else {
        batch.get(i).result().complete(found.getOrDefault(i, Optional.empty()));
      }
    }
  }

  private void keep(String persistenceId, long highest, long readAt) {
    if (kept.size() < MAX_KEPT) {
      kept.put(persistenceId, new Kept(highest, readAt));
    } else {
      kept.remove(persistenceId); // not kept: its next read queries, and finds no older number
    }
  }

  private SelectedSnapshot snapshot(String persistenceId, ResultSet row) throws Exception {
    Object snapshot = database.deserialize(new JournalDatabase.Serialized(row.getInt(4), row.getString(5), row.getBytes(6)));
    SnapshotMetadata metadata = SnapshotMetadata.apply(persistenceId, row.getLong(2), row.getLong(3));
    byte[] meta = row.getBytes(9);
    if (meta != null) {
      metadata = metadata.withMetadata(database.deserialize(new JournalDatabase.Serialized(row.getInt(7), row.getString(8), meta)));
    }
    return SelectedSnapshot.create(metadata, snapshot);
  }
}
