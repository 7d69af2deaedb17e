package io.kck.persistence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * One page of the retention sweep's walk over the journal: at most {@code pageRows} rows of the
 * event table read in the order of its primary key from a position, so that a statement's work is
 * bounded however large the journal grows. The key whose rows the page cuts through is read to its
 * end by a second statement (one key's rows), so that a page ends between keys. The walk finds keys
 * by their events: a key keeps its last event until it is forgotten ({@link JournalPurge} never
 * deletes it). A key's last write is the newest of its events and snapshots: the snapshots of the
 * page's candidates are looked up by key.
 *
 * <p>Why not one statement over the primer's rows (what the sweep did first): it grouped every row
 * of the primer by key, a scan and an aggregate that grow with the journal, on a connection of the
 * journal's pool, in one statement nothing else could come between. Why not an index on write time:
 * every put would pay for it, and "no row written since" still needs every key's newest row.
 */
final class UnwrittenKeysQuery {
  private static final String KEY_PREFIX = JournalNames.KEY_TYPE + "|";

  private final String events;
  private final String snapshots;

  UnwrittenKeysQuery(String events, String snapshots) {
    this.events = events;
    this.snapshots = snapshots;
  }

  /**
   * @param cutoffOf per key (canonical text), the time (epoch milliseconds) before which its last
   *     write makes it a candidate; {@link Long#MIN_VALUE}: never
   * @param after where the walk stands (exclusive); empty: the start of the table
   * @param until the end of the walk (inclusive); empty: the end of the table
   * @param limit the most keys the page returns: it stops after the last one
   */
  UnwrittenPage page(Connection connection, ToLongFunction<String> cutoffOf, Optional<JournalPosition> after,
      Optional<JournalPosition> until, int limit, int pageRows) throws SQLException {
    Map<String, Long> written = new LinkedHashMap<>(); // persistence id -> newest event, in the walk's order
    String last = null;
    long lastSequenceNr = 0;
    long read = 0;
    // Grouped in the database, in the index's order (the column's collation): a row per key, not per event.
    try (PreparedStatement statement = connection.prepareStatement("SELECT persistence_id, max(sequence_number),"
        + " max(write_timestamp), count(*) FROM (SELECT persistence_id, sequence_number, write_timestamp"
        + " FROM " + events + " WHERE true"
        + (after.isPresent() ? " AND (persistence_id, sequence_number) > (?, ?)" : "")
        + (until.isPresent() ? " AND (persistence_id, sequence_number) <= (?, ?)" : "")
        + " ORDER BY persistence_id, sequence_number LIMIT ?) page GROUP BY persistence_id ORDER BY persistence_id")) {
      int parameter = 1;
      for (Optional<JournalPosition> bound : List.of(after, until)) {
        if (bound.isPresent()) {
          statement.setString(parameter++, bound.get().persistenceId());
          statement.setLong(parameter++, bound.get().sequenceNr());
        }
      }
      statement.setInt(parameter, pageRows);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          last = rows.getString(1);
          lastSequenceNr = rows.getLong(2);
          long newest = rows.getLong(3);
          written.put(last, rows.wasNull() ? Long.MAX_VALUE : newest); // no write time: never a candidate
          read += rows.getLong(4);
        }
      }
    }
    boolean ended = read < pageRows;
    if (!ended) { // the page may have cut the last key's rows: read the rest of them
      written.merge(last, restOfKey(connection, last, lastSequenceNr), Math::max);
    }

    Map<String, Long> candidates = new LinkedHashMap<>(); // persistence id -> cutoff
    for (Map.Entry<String, Long> key : written.entrySet()) {
      if (key.getKey().startsWith(KEY_PREFIX)) {
        long cutoff = cutoffOf.applyAsLong(key.getKey().substring(KEY_PREFIX.length()));
        if (key.getValue() < cutoff) {
          candidates.put(key.getKey(), cutoff);
        }
      }
    }
    Map<String, Long> snapshotted = newestSnapshots(connection, candidates.keySet());
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, Long> candidate : candidates.entrySet()) {
      if (snapshotted.getOrDefault(candidate.getKey(), Long.MIN_VALUE) < candidate.getValue()) {
        keys.add(candidate.getKey().substring(KEY_PREFIX.length()));
        if (keys.size() == limit) {
          return new UnwrittenPage(keys, Optional.of(JournalPosition.afterKey(candidate.getKey())));
        }
      }
    }
    return new UnwrittenPage(keys, ended ? Optional.empty() : Optional.of(JournalPosition.afterKey(last)));
  }

  /** The newest write time of the rows of {@code persistenceId} after {@code sequenceNr} (or Long.MIN_VALUE). */
  private long restOfKey(Connection connection, String persistenceId, long sequenceNr) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT max(write_timestamp) FROM " + events
        + " WHERE persistence_id = ? AND sequence_number > ?")) {
      statement.setString(1, persistenceId);
      statement.setLong(2, sequenceNr);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        long newest = row.getLong(1);
        return row.wasNull() ? Long.MIN_VALUE : newest;
      }
    }
  }

  /** The creation time of the newest snapshot of each of {@code persistenceIds} that has one. */
  private Map<String, Long> newestSnapshots(Connection connection, Collection<String> persistenceIds)
      throws SQLException {
    Map<String, Long> newest = new HashMap<>();
    if (persistenceIds.isEmpty()) {
      return newest;
    }
    try (PreparedStatement statement = connection.prepareStatement("SELECT persistence_id, max(created) FROM "
        + snapshots + " WHERE persistence_id = ANY (?) GROUP BY persistence_id")) {
      Array ids = connection.createArrayOf("varchar", persistenceIds.toArray());
      statement.setArray(1, ids);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          newest.put(rows.getString(1), rows.getLong(2));
        }
      }
      ids.free();
    }
    return newest;
  }
}
