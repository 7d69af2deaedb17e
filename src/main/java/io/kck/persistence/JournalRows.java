package io.kck.persistence;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToLongFunction;

/**
 * The keys' rows in the journal and snapshot tables, read and deleted with plain SQL over the
 * journal's own connection pool: what the plugin's API cannot do (ask which keys went unwritten,
 * delete a key's last row, delete old rows without the key waiting: {@link JournalPurge}), and
 * the primers' version floors ({@link VersionFloor}). Queries run one at a time on a thread of
 * their own, floor reads on another (never behind a sweep's scan), never on an actor.
 */
public final class JournalRows implements AutoCloseable {
  private final JournalDatabase database;
  private final String events;
  private final String snapshots;
  private final String floors;
  private final JournalPurge purge;
  private final UnwrittenKeysQuery unwritten;
  // Floor reads asked for and not yet started, per primer: the one read that starts next answers them all.
  private final Map<String, CompletableFuture<Long>> floorReads = new HashMap<>();
  private final ExecutorService thread = ownThread("kck-journal-rows");
  // Floor reads hold up new keys' first writes: never behind a sweep's scan on the other thread.
  private final ExecutorService floorThread = ownThread("kck-version-floor");

  public JournalRows(ActorSystem<?> system, Config config) {
    this.database = JournalDatabase.get(Adapter.toClassic(system));
    this.events = database.events();
    this.snapshots = database.snapshots();
    this.floors = JournalDatabase.qualified(config.getString("kck.journal.tables.event_journal.schemaName"),
        config.getString("kck.database.version-floor-table"));
    this.purge = new JournalPurge(this, config.getConfig("kck"));
    this.unwritten = new UnwrittenKeysQuery(events, snapshots);
  }

  /** Where keys report their snapshots, so that the rows behind them are deleted in the background. */
  public JournalPurge purge() {
    return purge;
  }

  /** The event table's quoted name (with its schema). */
  public String events() {
    return events;
  }

  /** The snapshot table's quoted name (with its schema). */
  public String snapshots() {
    return snapshots;
  }

  /** The version floor table's quoted name (with its schema). */
  public String floors() {
    return floors;
  }

  /** Creates the version floor table when absent ({@code kck.database.create-schema}). */
  /** A key of PostgreSQL's advisory locks that only KCK's schema creation takes ("kckschem"). */
  private static final long SCHEMA_LOCK = 0x6b636b736368656dL;
  private static final Duration SCHEMA_WAIT = Duration.ofMinutes(2);
  private static final Duration SCHEMA_POLL = Duration.ofMillis(50);

  /** Work that creates tables. */
  public interface SchemaWork {
    void run() throws Exception;
  }

  /**
   * Runs {@code create} while this node holds an advisory lock of the database: nodes that start
   * at once on an empty database create KCK's tables one after the other. CREATE TABLE IF NOT
   * EXISTS alone is not enough: two sessions that both find the table missing collide in
   * PostgreSQL's catalog (a unique violation on pg_type), and one node's start fails.
   *
   * <p>The lock is tried, not waited for, and never inside a transaction: Akka Persistence JDBC's
   * schema script creates indexes CONCURRENTLY, which waits for every open transaction, so a node
   * waiting for the lock in a statement would stall the node that holds it.
   */
  public void withSchemaLock(SchemaWork create) throws Exception {
    try (Connection connection = connection(); Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      long deadline = System.nanoTime() + SCHEMA_WAIT.toNanos();
      while (!tryLock(statement)) {
        if (System.nanoTime() > deadline) {
          throw new SQLException("Another node held KCK's schema lock for " + SCHEMA_WAIT + " (pg_advisory_lock "
              + SCHEMA_LOCK + ")");
        }
        Thread.sleep(SCHEMA_POLL.toMillis()); // another node creates the tables: seconds at most
      }
      try {
        create.run();
      } finally {
        statement.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
      }
    }
  }

  private static boolean tryLock(Statement statement) throws SQLException {
    try (ResultSet locked = statement.executeQuery("SELECT pg_try_advisory_lock(" + SCHEMA_LOCK + ")")) {
      return locked.next() && locked.getBoolean(1);
    }
  }

  public void createFloorTable() throws SQLException {
    try (Connection connection = connection(); PreparedStatement statement = connection.prepareStatement(
        "CREATE TABLE IF NOT EXISTS " + floors + " (primer TEXT PRIMARY KEY, version BIGINT NOT NULL)")) {
      statement.execute();
    }
  }

  /**
   * The highest version retention forgot of a key of {@code primer} (0 if none), read after this
   * call: reads asked for while none has started yet share the next one, so that many new keys
   * starting at once cost one query.
   */
  public CompletionStage<Long> versionFloor(String primer) {
    synchronized (floorReads) {
      CompletableFuture<Long> waiting = floorReads.get(primer);
      if (waiting != null) {
        return waiting;
      }
      CompletableFuture<Long> read = new CompletableFuture<>();
      floorReads.put(primer, read);
      floorThread.execute(() -> {
        synchronized (floorReads) {
          floorReads.remove(primer, read); // asked from now on: a later read
        }
        try (Connection connection = connection();
             PreparedStatement statement = connection.prepareStatement("SELECT version FROM " + floors + " WHERE primer = ?")) {
          statement.setString(1, primer);
          try (ResultSet row = statement.executeQuery()) {
            read.complete(row.next() ? row.getLong(1) : 0L);
          }
        } catch (SQLException | RuntimeException e) {
          read.completeExceptionally(e);
        }
      });
      return read;
    }
  }

  /** The journal's tables, pool and serialization. */
  public JournalDatabase database() {
    return database;
  }

  /** A connection from the journal's pool; the caller closes it. */
  public Connection connection() throws SQLException {
    return database.connection();
  }

  /**
   * One page of a walk over the journal's keys: the keys none of whose rows was written at or after
   * their cutoff (the plugin's write times, epoch milliseconds), in the order of the event table's
   * primary key, from the rows after {@code after} (empty: the start) up to {@code until} (empty:
   * the end). The page reads at most {@code pageRows} rows of the event table, plus the rest of the
   * key it ends in, and returns at most {@code limit} keys: a sweep over a journal of any size is
   * many bounded statements, and the deletes of forgotten keys (on the same thread) run between
   * them.
   *
   * @param cutoffOf per key (canonical text): the time its last write must precede; {@link
   *     Long#MIN_VALUE} for keys never to return (called on the query's thread)
   */
  public CompletionStage<UnwrittenPage> unwrittenSince(ToLongFunction<String> cutoffOf, Optional<JournalPosition> after,
      Optional<JournalPosition> until, int limit, int pageRows) {
    if (limit < 1 || pageRows < 1) {
      throw new IllegalArgumentException("A page of the journal's keys needs a limit and page rows of at least 1, got "
          + limit + " and " + pageRows);
    }
    return CompletableFuture.supplyAsync(() -> {
      try (Connection connection = connection()) {
        return unwritten.page(connection, cutoffOf, after, until, limit, pageRows);
      } catch (SQLException e) {
        throw new IllegalStateException("The retention sweep could not query the journal: " + e.getMessage(), e);
      }
    }, thread);
  }

  /**
   * Raises {@code primer}'s version floor to {@code version} and deletes {@code key}'s events and
   * snapshots up to {@code toSequenceNr}, in one transaction: the rows that hold the key's last
   * version go only once the floor holds it.
   */
  public CompletionStage<Void> delete(String key, long toSequenceNr, String primer, long version) {
    String persistenceId = JournalNames.persistenceId(key);
    return CompletableFuture.runAsync(() -> {
      try (Connection connection = connection()) {
        connection.setAutoCommit(false);
        try (PreparedStatement raise = connection.prepareStatement("INSERT INTO " + floors + " AS floor (primer, version) VALUES (?, ?)"
            + " ON CONFLICT (primer) DO UPDATE SET version = greatest(floor.version, excluded.version)")) {
          raise.setString(1, primer);
          raise.setLong(2, version);
          raise.executeUpdate();
        }
        for (String sql : List.of(
            "DELETE FROM " + events + " WHERE persistence_id = ? AND sequence_number <= ?",
            "DELETE FROM " + snapshots + " WHERE persistence_id = ? AND sequence_number <= ?")) {
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, persistenceId);
            statement.setLong(2, toSequenceNr);
            statement.executeUpdate();
          }
        }
        connection.commit();
      } catch (SQLException e) {
        throw new IllegalStateException("Could not delete the rows of key '" + key + "': " + e.getMessage(), e);
      }
    }, thread);
  }

  @Override
  public void close() {
    purge.close();
    thread.shutdownNow();
    floorThread.shutdownNow();
  }

  /** One daemon thread named {@code name}: JDBC calls block, so they never run on an actor's thread. */
  static ExecutorService ownThread(String name) {
    return Executors.newSingleThreadExecutor(work -> {
      Thread named = new Thread(work, name);
      named.setDaemon(true);
      return named;
    });
  }
}
