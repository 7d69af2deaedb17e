package io.kck.persistence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a recovery of each of many persistent actors would read, in two queries for all of them:
 * the newest snapshot and the events after it. For loading keys' values without starting their
 * actors (the read tier's bulk load); the plugin's own reads stay one actor at a time, as Akka's
 * journal protocol asks.
 */
public final class LatestRows {
  /**
   * One actor's rows.
   *
   * @param snapshot the newest snapshot, deserialized, or null when there is none
   * @param events the events after it, deserialized, oldest first
   */
  public record Rows(Object snapshot, List<Object> events) {}

  private LatestRows() {}

  /**
   * The rows of each of {@code persistenceIds} that has any, read on {@code connection} (the
   * caller's, from the journal's pool). Ids without rows are absent from the answer.
   *
   * @throws SQLException when a query fails
   * @throws RuntimeException when a payload does not deserialize
   */
  public static Map<String, Rows> read(JournalDatabase database, Connection connection, Collection<String> persistenceIds)
      throws SQLException {
    Array ids = connection.createArrayOf("text", persistenceIds.toArray());
    Map<String, Object> snapshots = new HashMap<>();
    Map<String, Long> snapshotSequenceNrs = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT DISTINCT ON (persistence_id) persistence_id,"
        + " sequence_number, snapshot_ser_id, snapshot_ser_manifest, snapshot_payload FROM " + database.snapshots()
        + " WHERE persistence_id = ANY(?) ORDER BY persistence_id, sequence_number DESC")) {
      select.setArray(1, ids);
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          snapshots.put(row.getString(1),
              database.deserialize(new JournalDatabase.Serialized(row.getInt(3), row.getString(4), row.getBytes(5))));
          snapshotSequenceNrs.put(row.getString(1), row.getLong(2));
        }
      }
    }
    Map<String, List<Object>> events = new HashMap<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT persistence_id, sequence_number, event_ser_id,"
        + " event_ser_manifest, event_payload FROM " + database.events()
        + " WHERE persistence_id = ANY(?) AND NOT deleted ORDER BY persistence_id, sequence_number")) {
      select.setArray(1, ids);
      try (ResultSet row = select.executeQuery()) {
        while (row.next()) {
          String id = row.getString(1);
          if (row.getLong(2) > snapshotSequenceNrs.getOrDefault(id, 0L)) { // older ones wait for their purge
            events.computeIfAbsent(id, none -> new ArrayList<>()).add(
                database.deserialize(new JournalDatabase.Serialized(row.getInt(3), row.getString(4), row.getBytes(5))));
          }
        }
      }
    }
    Map<String, Rows> found = new HashMap<>();
    snapshots.forEach((id, snapshot) -> found.put(id, new Rows(snapshot, events.getOrDefault(id, List.of()))));
    events.forEach((id, after) -> found.putIfAbsent(id, new Rows(null, after)));
    return found;
  }
}
