package io.kck.persistence;

import akka.persistence.SelectedSnapshot;
import akka.persistence.SnapshotMetadata;
import akka.persistence.SnapshotSelectionCriteria;
import akka.persistence.snapshot.japi.SnapshotStore;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * KCK's snapshot store plugin ({@code kck.snapshot-store}): the key entities' snapshots in
 * PostgreSQL, in Akka Persistence JDBC's {@code snapshot} table. A save is one upsert (a snapshot
 * saved again at the same sequence number replaces the first); a load reads the newest snapshot
 * that the criteria select, together with the loads of other keys that start at the same time
 * ({@link RecoveryReads}). Operations run on the journal's read threads ({@link JournalDatabase}).
 * Verified with Akka's snapshot store TCK ({@code SnapshotStoreTckTest}).
 */
public final class PostgresSnapshotStore extends SnapshotStore {
  private static final String SELECTED = " WHERE persistence_id = ? AND sequence_number <= ? AND created <= ?"
      + " AND sequence_number >= ? AND created >= ?";

  private final JournalDatabase database = JournalDatabase.get(context().system());

  /** Read with the other keys' that start now, one query for many ({@link RecoveryReads}). */
  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return FutureConverters.asScala(database.recoveryReads().latestSnapshot(persistenceId, criteria));
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return FutureConverters.asScala(database.read(connection -> {
      JournalDatabase.Serialized payload = database.serialize(snapshot);
      JournalDatabase.Serialized meta = metadata.metadata().isDefined() ? database.serialize(metadata.metadata().get()) : null;
      try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + database.snapshots()
          + " (persistence_id, sequence_number, created, snapshot_ser_id, snapshot_ser_manifest, snapshot_payload,"
          + " meta_ser_id, meta_ser_manifest, meta_payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (persistence_id, sequence_number) DO UPDATE SET created = excluded.created,"
          + " snapshot_ser_id = excluded.snapshot_ser_id, snapshot_ser_manifest = excluded.snapshot_ser_manifest,"
          + " snapshot_payload = excluded.snapshot_payload, meta_ser_id = excluded.meta_ser_id,"
          + " meta_ser_manifest = excluded.meta_ser_manifest, meta_payload = excluded.meta_payload")) {
        upsert.setString(1, metadata.persistenceId());
        upsert.setLong(2, metadata.sequenceNr());
        upsert.setLong(3, metadata.timestamp() > 0 ? metadata.timestamp() : System.currentTimeMillis());
        upsert.setInt(4, payload.serializerId());
        upsert.setString(5, payload.manifest());
        upsert.setBytes(6, payload.bytes());
        if (meta == null) {
          upsert.setNull(7, Types.INTEGER);
          upsert.setNull(8, Types.VARCHAR);
          upsert.setNull(9, Types.BINARY);
        } else {
          upsert.setInt(7, meta.serializerId());
          upsert.setString(8, meta.manifest());
          upsert.setBytes(9, meta.bytes());
        }
        upsert.executeUpdate();
      }
      return null;
    }));
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return FutureConverters.asScala(database.read(connection -> {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + database.snapshots()
          + " WHERE persistence_id = ? AND sequence_number = ?")) {
        delete.setString(1, metadata.persistenceId());
        delete.setLong(2, metadata.sequenceNr());
        delete.executeUpdate();
      }
      return null;
    }));
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return FutureConverters.asScala(database.read(connection -> {
      try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + database.snapshots() + SELECTED)) {
        bind(delete, persistenceId, criteria);
        delete.executeUpdate();
      }
      return null;
    }));
  }

  private static void bind(PreparedStatement statement, String persistenceId, SnapshotSelectionCriteria criteria)
      throws SQLException {
    statement.setString(1, persistenceId);
    statement.setLong(2, criteria.maxSequenceNr());
    statement.setLong(3, criteria.maxTimestamp());
    statement.setLong(4, criteria.minSequenceNr());
    statement.setLong(5, criteria.minTimestamp());
  }
}
