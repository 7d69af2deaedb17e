package io.kck.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * The journal's writes: each write (the events of one {@code persist} or {@code persistAll},
 * atomic) waits in one queue, and each of a few writer threads takes every write waiting when it
 * is free and inserts them all with one multi-row {@code INSERT} in autocommit: one round trip and
 * one commit for many keys. A lone write goes at once, alone, so one writer pays no batching
 * delay; under load the batches grow by themselves, bounded by {@code kck.journal.max-rows-per-write}
 * and {@code max-bytes-per-write}, in steps of 1, 2, 4, 8... writes.
 *
 * <p>A statement is all or nothing, so a write is never half stored. When a batch fails on a
 * constraint (a sequence number written twice, which only a second writer of one key causes),
 * its writes are retried one by one so that only the offending one fails; any other failure
 * (connection lost, PostgreSQL down) fails the whole batch, which retrying would only delay.
 * Thread-safe.
 */
final class GroupCommit implements AutoCloseable {
  private static final String COLUMNS = "(persistence_id, sequence_number, deleted, writer, write_timestamp, adapter_manifest,"
      + " event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest, meta_payload)";
  private static final String ROW = "(?, ?, false, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private final JournalDatabase database;
  private final String insertInto;
  // By number of rows: a few texts in practice (batches of 1, 2, 4, 8... writes).
  private final Map<Integer, String> statements = new ConcurrentHashMap<>();
  private final int maxRows;
  private final long maxBytes;
  private final BlockingDeque<Write> queue = new LinkedBlockingDeque<>();
  private final ExecutorService writers;
  private volatile boolean closed;

  GroupCommit(JournalDatabase database, String events, int threads, int maxRows, long maxBytes) {
    // PostgreSQL binds at most 32,767 parameters per statement, 11 per row here.
    if (maxRows < 1 || maxRows > 2000 || maxBytes < 1) {
      throw new IllegalArgumentException("kck.journal: max-rows-per-write must be 1 to 2000 and max-bytes-per-write"
          + " at least 1, got " + maxRows + " and " + maxBytes);
    }
    this.database = database;
    this.insertInto = "INSERT INTO " + events + " " + COLUMNS + " VALUES ";
    this.maxRows = maxRows;
    this.maxBytes = maxBytes;
    this.writers = JournalDatabase.threads("kck-journal-write", threads);
    for (int i = 0; i < threads; i++) {
      writers.execute(this::writeWhileOpen);
    }
  }

  /** One row of the event table, serialized. */
  record EventRow(String persistenceId, long sequenceNr, String writer, long timestamp, String adapterManifest,
                  JournalDatabase.Serialized event, JournalDatabase.Serialized metadata) {
    long bytes() {
      return event.bytes().length + (metadata == null ? 0 : metadata.bytes().length) + 64;
    }
  }

  /** Stores {@code rows} together (all or none); completes once they are committed. */
  CompletableFuture<Void> write(List<EventRow> rows) {
    Write write = new Write(rows, new CompletableFuture<>());
    queue.add(write);
    if (closed) { // nobody takes it any more: fail it rather than leave its persist waiting
      queue.remove(write);
      write.done().completeExceptionally(new IllegalStateException("KCK's journal stopped"));
    }
    return write.done();
  }

  private record Write(List<EventRow> rows, CompletableFuture<Void> done) {}

  private void writeWhileOpen() {
    List<Write> batch = new ArrayList<>();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        batch.clear();
        Write first = queue.take();
        batch.add(first);
        int rows = first.rows().size();
        long bytes = bytes(first);
        // Only what waits already: a writer never holds a write back to fill a batch.
        for (Write next = queue.poll(); next != null; next = queue.poll()) {
          if (rows + next.rows().size() > maxRows || bytes + bytes(next) > maxBytes) {
            queue.addFirst(next);
            break;
          }
          batch.add(next);
          rows += next.rows().size();
          bytes += bytes(next);
        }
        // 1, 2, 4, 8... writes per statement: the driver keeps each statement text it prepared
        // (pgjdbc's cache, per connection), so a few texts, not one per batch size (a text is
        // its number of rows; KCK's keys write one event per persist, so rows are writes). The
        // rest go next.
        int kept = Integer.highestOneBit(batch.size());
        for (int last = batch.size() - 1; last >= kept; last--) {
          queue.addFirst(batch.remove(last));
        }
        store(batch);
      }
    } catch (InterruptedException stopping) {
      failLeft(); // close() does too, but a write may have been put back since
    }
  }

  /** The text of an insert of {@code rows} rows. */
  private String insertOf(int rows) {
    StringBuilder sql = new StringBuilder(insertInto.length() + rows * (ROW.length() + 2)).append(insertInto);
    for (int i = 0; i < rows; i++) {
      sql.append(i == 0 ? "" : ", ").append(ROW);
    }
    return sql.toString();
  }

  /** A JDK Flight Recorder event per statement: how big the batches grow, how long PostgreSQL takes. */
  @jdk.jfr.Name("io.kck.JournalInsert")
  @jdk.jfr.Label("KCK journal insert")
  @jdk.jfr.Category({"KCK"})
  @jdk.jfr.Description("One multi-row INSERT of the journal, from taking a connection to the commit")
  @jdk.jfr.StackTrace(false)
  static final class Insert extends jdk.jfr.Event {
    @jdk.jfr.Label("Writes") int writes;
    @jdk.jfr.Label("Rows") int rows;
    @jdk.jfr.Label("Failed") boolean failed;
  }

  private void store(List<Write> batch) {
    Insert trace = new Insert();
    trace.begin();
    try {
      storeAll(batch);
    } finally {
      if (trace.shouldCommit()) {
        trace.writes = batch.size();
        trace.rows = batch.stream().mapToInt(write -> write.rows().size()).sum();
        trace.failed = batch.stream().anyMatch(write -> write.done().isCompletedExceptionally());
        trace.commit();
      }
    }
  }

  private void storeAll(List<Write> batch) {
    try (Connection connection = database.connection()) {
      try {
        insert(connection, batch);
        batch.forEach(write -> write.done().complete(null));
      } catch (SQLException e) {
        if (batch.size() > 1 && e.getSQLState() != null && e.getSQLState().startsWith("23")) {
          for (Write write : batch) {
            try {
              insert(connection, List.of(write));
              write.done().complete(null);
            } catch (SQLException alone) {
              write.done().completeExceptionally(alone);
            }
          }
        } else {
          batch.forEach(write -> write.done().completeExceptionally(e));
        }
      }
    } catch (SQLException | RuntimeException e) {
      batch.forEach(write -> write.done().completeExceptionally(e));
    }
  }

  private void insert(Connection connection, List<Write> writes) throws SQLException {
    int count = writes.stream().mapToInt(write -> write.rows().size()).sum();
    String sql = statements.computeIfAbsent(count, this::insertOf);
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int parameter = 1;
      for (Write write : writes) {
        for (EventRow row : write.rows()) {
          statement.setString(parameter++, row.persistenceId());
          statement.setLong(parameter++, row.sequenceNr());
          statement.setString(parameter++, row.writer());
          statement.setLong(parameter++, row.timestamp());
          statement.setString(parameter++, row.adapterManifest());
          statement.setInt(parameter++, row.event().serializerId());
          statement.setString(parameter++, row.event().manifest());
          statement.setBytes(parameter++, row.event().bytes());
          if (row.metadata() == null) {
            statement.setNull(parameter++, Types.INTEGER);
            statement.setNull(parameter++, Types.VARCHAR);
            statement.setNull(parameter++, Types.BINARY);
          } else {
            statement.setInt(parameter++, row.metadata().serializerId());
            statement.setString(parameter++, row.metadata().manifest());
            statement.setBytes(parameter++, row.metadata().bytes());
          }
        }
      }
      statement.executeUpdate();
    }
  }

  private static long bytes(Write write) {
    long bytes = 0;
    for (EventRow row : write.rows()) {
      bytes += row.bytes();
    }
    return bytes;
  }

  @Override
  public void close() {
    closed = true;
    writers.shutdownNow();
    failLeft();
  }

  private void failLeft() {
    for (Write left = queue.poll(); left != null; left = queue.poll()) {
      left.done().completeExceptionally(new IllegalStateException("KCK's journal stopped"));
    }
  }
}
