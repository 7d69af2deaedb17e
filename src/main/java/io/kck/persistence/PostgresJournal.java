package io.kck.persistence;

import akka.persistence.AtomicWrite;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.Tagged;
import akka.persistence.journal.japi.AsyncWriteJournal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * KCK's journal plugin ({@code kck.journal}): the key entities' events in PostgreSQL, in Akka
 * Persistence JDBC's {@code event_journal} table. Writes of many keys share one statement and one
 * commit ({@link GroupCommit}), which is what lets many writers go faster than one row per
 * transaction; a write is acknowledged only once PostgreSQL committed it.
 *
 * <p>Per Akka's journal contract: a write whose event cannot be serialized is rejected alone
 * (the others of the call are stored); a failed statement fails its writes; deleting events up
 * to a sequence number keeps the highest one as a row marked deleted, so that the key's sequence
 * numbers never restart. Tagged events are refused: nothing of KCK reads tags. Verified with
 * Akka's journal TCK ({@code JournalTckTest}).
 */
public final class PostgresJournal extends AsyncWriteJournal {
  private final JournalDatabase database = JournalDatabase.get(context().system());

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    List<Optional<Exception>> results = new ArrayList<>();
    List<CompletableFuture<Void>> stored = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (AtomicWrite write : messages) {
      List<GroupCommit.EventRow> writeRows = new ArrayList<>();
      try {
        for (PersistentRepr event : CollectionConverters.asJava(write.payload())) {
          writeRows.add(row(event, now));
        }
        results.add(Optional.empty());
        stored.add(database.writes().write(writeRows));
      } catch (Exception rejected) { // Akka's serializers throw checked exceptions through Try.get
        results.add(Optional.of(rejected));
      }
    }
    Iterable<Optional<Exception>> answer = results;
    return FutureConverters.asScala(CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).thenApply(all -> answer));
  }

  private GroupCommit.EventRow row(PersistentRepr event, long now) {
    if (event.payload() instanceof Tagged) {
      throw new IllegalArgumentException("kck.journal does not store tags (event " + event.sequenceNr()
          + " of " + event.persistenceId() + ")");
    }
    JournalDatabase.Serialized metadata = event.metadata().isDefined() ? database.serialize(event.metadata().get()) : null;
    return new GroupCommit.EventRow(event.persistenceId(), event.sequenceNr(), event.writerUuid(),
        event.timestamp() > 0 ? event.timestamp() : now, event.manifest(), database.serialize(event.payload()), metadata);
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(database.read(connection -> {
      connection.setAutoCommit(false);
      try {
        try (PreparedStatement mark = connection.prepareStatement("UPDATE " + database.events()
            + " SET deleted = true WHERE persistence_id = ? AND sequence_number <= ? AND NOT deleted")) {
          mark.setString(1, persistenceId);
          mark.setLong(2, toSequenceNr);
          mark.executeUpdate();
        }
        // The highest row stays (marked): it is where the key's next sequence number comes from.
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + database.events()
            + " WHERE persistence_id = ? AND sequence_number <= ? AND sequence_number < (SELECT max(sequence_number) FROM "
            + database.events() + " WHERE persistence_id = ?)")) {
          delete.setString(1, persistenceId);
          delete.setLong(2, toSequenceNr);
          delete.setString(3, persistenceId);
          delete.executeUpdate();
        }
        connection.commit();
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
      return null;
    }));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
                                            Consumer<PersistentRepr> replay) {
    return FutureConverters.asScala(database.read(connection -> {
      if (max <= 0) {
        return null;
      }
      try (PreparedStatement select = connection.prepareStatement("SELECT sequence_number, writer, write_timestamp,"
          + " adapter_manifest, event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest, meta_payload"
          + " FROM " + database.events() + " WHERE persistence_id = ? AND sequence_number >= ? AND sequence_number <= ?"
          + " AND NOT deleted ORDER BY sequence_number LIMIT ?")) {
        select.setString(1, persistenceId);
        select.setLong(2, fromSequenceNr);
        select.setLong(3, toSequenceNr);
        select.setLong(4, max);
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            Object payload = database.deserialize(new JournalDatabase.Serialized(rows.getInt(5), rows.getString(6), rows.getBytes(7)));
            PersistentRepr event = PersistentRepr.apply(payload, rows.getLong(1), persistenceId, rows.getString(4),
                false, null, rows.getString(2)).withTimestamp(rows.getLong(3));
            byte[] metadata = rows.getBytes(10);
            if (metadata != null) {
              event = event.withMetadata(database.deserialize(new JournalDatabase.Serialized(rows.getInt(8), rows.getString(9), metadata)));
            }
            replay.accept(event);
          }
        }
      }
      return null;
    }));
  }

  /** Read with the other keys' that start now, one query for many ({@link RecoveryReads}). */
  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return FutureConverters.asScala(database.recoveryReads().highestSequenceNr(persistenceId));
  }
}
