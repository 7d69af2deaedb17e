package io.kck.persistence;

import com.typesafe.config.Config;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;

/**
 * The keys of primers with source tables whose first compute started, in a table of KCK's
 * database ({@code kck.database.first-computes-table}): the source consumer sends a change to a
 * key that has rows in the journal <em>or a row here</em>, so that a change committed after a
 * key's first compute took its snapshot reaches the key even though it has no value journaled yet.
 * A compute marks its key before it takes the source database's snapshot; a change committed after
 * that snapshot is decoded after the mark committed, so the consumer's check sees it.
 *
 * <p>A mark commits with {@code synchronous_commit = off}: the consumer needs it visible, which a
 * commit is at once, not flushed. When the source tables live in KCK's database, a change the
 * consumer reads was flushed after the mark (the server sends only flushed WAL, in order), so the
 * mark survives any crash the change survives; with another source database, a crash of KCK's
 * database within a fraction of a second of a first compute's start may lose its mark.
 *
 * <p>Rows go once their key has rows in the journal, and after {@link #KEPT} whatever happens
 * ({@link #clean()}): a first compute runs far shorter, and a key whose first compute failed keeps
 * being sent changes only until then. Thread-safe.
 */
public final class FirstComputes implements AutoCloseable {
  /** How long a mark is kept when its key wrote nothing to the journal. */
  public static final Duration KEPT = Duration.ofDays(1);
  /** How long a mark is kept at least, even when its key has rows (see {@link #clean()}). */
  static final Duration LEAST = Duration.ofMinutes(1);

  private final JournalRows rows;
  private final String table;
  private final String mark;
  private final String clean;
  private final ExecutorService thread = JournalRows.ownThread("kck-first-computes");

  public FirstComputes(JournalRows rows, Config config) {
    this.rows = rows;
    this.table = tableOf(config);
    // set_config(..., true) is SET LOCAL for this statement's own transaction: it ends at its commit.
    this.mark = "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))"
        + " INSERT INTO " + table + " (persistence_id, started)"
        + " SELECT id, clock_timestamp() FROM unnest(?::text[]) AS id, relaxed"
        + " ON CONFLICT (persistence_id) DO UPDATE SET started = excluded.started";
    // A mark renewed meanwhile (its key forgotten, then computed again) is rechecked by PostgreSQL
    // on its new row before deletion, and is too recent to go.
    this.clean = "DELETE FROM " + table + " AS mark WHERE mark.started < now() - ?::interval"
        + " OR (mark.started < now() - ?::interval AND (EXISTS (SELECT 1 FROM " + rows.events()
        + " WHERE persistence_id = mark.persistence_id) OR EXISTS (SELECT 1 FROM " + rows.snapshots()
        + " WHERE persistence_id = mark.persistence_id)))";
  }

  /** The quoted name (with its schema) of the table {@code config} names. */
  private static String tableOf(Config config) {
    return JournalDatabase.qualified(config.getString("kck.journal.tables.event_journal.schemaName"),
        config.getString("kck.database.first-computes-table"));
  }

  /** The table's quoted name (with its schema). */
  public String table() {
    return table;
  }

  /** Creates the table when absent ({@code kck.database.create-schema}). */
  public void createTable() throws SQLException {
    try (Connection connection = rows.connection(); PreparedStatement statement = connection.prepareStatement(
        "CREATE TABLE IF NOT EXISTS " + table + " (persistence_id TEXT PRIMARY KEY, started TIMESTAMPTZ NOT NULL)")) {
      statement.execute();
    }
  }

  /**
   * Drops the table of {@code config} when it exists (KCK's clean-up once no primer declares a
   * source); answers {@code "table <name>"} when it dropped one.
   */
  public static Optional<String> dropTable(JournalRows rows, Config config) throws SQLException {
    String table = tableOf(config);
    try (Connection connection = rows.connection()) {
      connection.setAutoCommit(true);
      try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
        exists.setString(1, table);
        try (ResultSet row = exists.executeQuery()) {
          if (!row.next() || !row.getBoolean(1)) {
            return Optional.empty();
          }
        }
      }
      try (PreparedStatement drop = connection.prepareStatement("DROP TABLE IF EXISTS " + table)) {
        drop.execute();
      }
      String schema = config.getString("kck.journal.tables.event_journal.schemaName");
      String name = config.getString("kck.database.first-computes-table");
      return Optional.of("table " + (schema.isBlank() ? name : schema + "." + name)); // as a user names it, unquoted
    }
  }

  /**
   * Marks {@code keys} (key texts) as computing for the first time, in one statement committed
   * before this returns; blocks (call it from the compute pool, never from an actor).
   *
   * @throws SQLException when KCK's database does not take it
   */
  public void started(Collection<String> keys) throws SQLException {
    try (Connection connection = rows.connection()) {
      connection.setAutoCommit(true);
      Array ids = connection.createArrayOf("text", keys.stream().map(JournalNames::persistenceId).toArray());
      try (PreparedStatement statement = connection.prepareStatement(mark)) {
        statement.setArray(1, ids);
        statement.executeUpdate();
      }
    }
  }

  /**
   * Deletes the marks older than {@link #KEPT}, and those of keys that have rows in the journal
   * (older than a minute); answers how many went.
   */
  public CompletionStage<Integer> clean() {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = rows.connection(); PreparedStatement statement = connection.prepareStatement(clean)) {
        connection.setAutoCommit(true);
        statement.setString(1, KEPT.toSeconds() + " seconds");
        statement.setString(2, LEAST.toSeconds() + " seconds");
        return statement.executeUpdate();
      } catch (SQLException e) {
        throw new IllegalStateException("Could not clean the first computes' table " + table + ": " + e.getMessage(), e);
      }
    }, thread);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
