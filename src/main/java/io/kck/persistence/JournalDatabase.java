package io.kck.persistence;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import akka.actor.ExtensionIdProvider;
import akka.persistence.jdbc.db.SlickExtension;
import akka.persistence.jdbc.db.SlickExtensionImpl;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import slick.jdbc.JdbcDataSource;

/**
 * What KCK's journal ({@link PostgresJournal}) and snapshot store ({@link PostgresSnapshotStore})
 * share on one ActorSystem: the connection pool of {@code kck.database}, the threads that block
 * on it (writes go through {@link GroupCommit}; reads, snapshots and deletions run on {@code
 * kck.journal.read-threads} threads), the table names and Akka's serialization. The tables are
 * Akka Persistence JDBC's (same columns, same names, same serialized forms), so a journal written
 * by either plugin reads back with the other.
 *
 * <p>One per ActorSystem; thread-safe. Its threads stop when the ActorSystem terminates.
 */
public final class JournalDatabase implements Extension {
  private static final Id ID = new Id();

  private final String events;
  private final String snapshots;
  private final JdbcDataSource pool;
  private final Serialization serialization;
  private final GroupCommit writes;
  private final ExecutorService reads;
  private final RecoveryReads recoveryReads;

  private JournalDatabase(ExtendedActorSystem system) {
    Config config = system.settings().config();
    Config journal = config.getConfig("kck.journal");
    this.events = table(journal.getConfig("tables.event_journal"));
    this.snapshots = table(config.getConfig("kck.snapshot-store.tables.snapshot"));
    this.pool = ((SlickExtensionImpl) SlickExtension.get(system)).database(journal).database().source();
    this.serialization = SerializationExtension.get(system);
    this.writes = new GroupCommit(this, events, journal.getInt("write-threads"),
        journal.getInt("max-rows-per-write"), journal.getBytes("max-bytes-per-write"));
    this.reads = threads("kck-journal-read", journal.getInt("read-threads"));
    this.recoveryReads = new RecoveryReads(this, reads);
    system.registerOnTermination(this::close);
  }

  /** The journal database of {@code system}, made on first use. */
  public static JournalDatabase get(ActorSystem system) {
    return ID.get(system);
  }

  /** The event table's quoted name (with its schema). */
  public String events() {
    return events;
  }

  /** The snapshot table's quoted name (with its schema). */
  public String snapshots() {
    return snapshots;
  }

  GroupCommit writes() {
    return writes;
  }

  /** The reads of keys that start (snapshot, highest sequence number), many keys per query. */
  RecoveryReads recoveryReads() {
    return recoveryReads;
  }

  /** A connection from the journal's pool, in autocommit mode; the caller closes it. */
  public Connection connection() throws SQLException {
    Connection connection = pool.createConnection();
    if (!connection.getAutoCommit()) {
      connection.setAutoCommit(true);
    }
    return connection;
  }

  /** Runs {@code work} on a read thread with a connection of the pool. */
  <T> CompletableFuture<T> read(Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    reads.execute(() -> {
      try (Connection connection = connection()) {
        result.complete(work.on(connection));
      } catch (Exception | LinkageError e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  /** Work that needs a connection and may fail with an SQL or serialization error. */
  @FunctionalInterface
  interface Work<T> {
    T on(Connection connection) throws Exception;
  }

  /** {@code value} as Akka serializes it: fails with the serializer's exception. */
  Serialized serialize(Object value) {
    Serializer serializer = serialization.findSerializerFor(value);
    byte[] bytes = serialization.serialize(value).get();
    return new Serialized(serializer.identifier(), Serializers.manifestFor(serializer, value), bytes);
  }

  /** The object {@code serialized} stands for; fails when its serializer cannot read it. */
  Object deserialize(Serialized serialized) {
    return serialization.deserialize(serialized.bytes(), serialized.serializerId(), serialized.manifest()).get();
  }

  /** A payload in the form the tables keep it: serializer id, manifest, bytes. */
  record Serialized(int serializerId, String manifest, byte[] bytes) {}

  private void close() {
    writes.close();
    reads.shutdownNow();
  }

  static ExecutorService threads(String name, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("kck.journal: " + name + " needs at least one thread, not " + count);
    }
    AtomicInteger made = new AtomicInteger();
    return Executors.newFixedThreadPool(count, work -> {
      Thread thread = new Thread(work, name + "-" + made.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  private static String table(Config table) {
    return qualified(table.getString("schemaName"), table.getString("tableName"));
  }

  /** {@code name} in {@code schema} (none when blank), each quoted for SQL. */
  public static String qualified(String schema, String name) {
    return (schema.isBlank() ? "" : quote(schema) + ".") + quote(name);
  }

  private static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static final class Id extends AbstractExtensionId<JournalDatabase> implements ExtensionIdProvider {
    @Override
    public JournalDatabase createExtension(ExtendedActorSystem system) {
      return new JournalDatabase(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
