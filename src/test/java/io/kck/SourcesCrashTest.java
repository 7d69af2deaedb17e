package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.entity.node.Engine;
import io.kck.entity.source.SourceConsumer;
import io.kck.persistence.KckDatabaseProvider.DatabaseSettings;
import io.kck.primer.Augment;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.TableSource;
import io.kck.testing.ChildJvm;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing missed, nothing applied twice: a node that follows a source table by augment is killed
 * (SIGKILL) in the middle of a stream of 10,000 updates of the rows of 1,000 keys; after a restart
 * every key equals its compute on the final rows (a direct SQL query), no key was recomputed (each
 * change was applied once as a delta: a change applied twice, or missed, would show in the sums),
 * and 100 keys whose rows did not change were computed once, before the crash.
 */
class SourcesCrashTest {
  static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
  static final int KEYS = 1_000;
  static final int UNCHANGED = 100;
  static final int UPDATES = 10_000;
  static final int PER_TRANSACTION = 5;
  static final String SLOT = "kck_sources_crash";

  static Primer<Long> totals(Config config) {
    DatabaseSettings db = DatabaseSettings.from(config);
    return Primer.builder("crash-total", Long.class).parameters(REGISTER)
        .compute((key, context) -> {
          try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
              PreparedStatement computed = connection.prepareStatement("INSERT INTO crash_computes VALUES (?)");
              PreparedStatement sum = connection.prepareStatement(
                  "SELECT coalesce(sum(cents), 0) FROM crash_sales WHERE register = ?")) {
            computed.setString(1, key.text());
            computed.execute();
            sum.setInt(1, key.get(REGISTER));
            try (ResultSet row = sum.executeQuery()) {
              row.next();
              return row.getLong(1);
            }
          }
        })
        .augment(Augment.of(Long.class, (Long total, Long cents) -> total + cents))
        .source(TableSource.table("crash_sales")
            .keyParameters(row -> List.of(row.getInt("register")))
            .augment(row -> row.getLong("cents"), row -> -row.getLong("cents")))
        .build();
  }

  static Config config(String database) {
    return ConfigFactory.load(TestNodes.config(database + "kck.sources.slot = " + SLOT + "\nkck.sources.publication = "
        + SLOT + "\n"));
  }

  /** The node to kill, in a JVM of its own: args[0] is a file with the database's configuration. */
  public static void main(String[] args) throws Exception {
    Config config = config(Files.readString(Path.of(args[0])));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "SourcesCrashNode", config);
    Kck kck = Kck.start(system, totals(config));
    List<CompletableFuture<Object>> gets = new ArrayList<>();
    for (int register = 0; register < KEYS + UNCHANGED; register++) {
      gets.add(kck.get("crash-total/" + register).toCompletableFuture());
    }
    CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  @Test
  void aKilledConsumerResumesFromTheSlotWithoutLosingOrDoublingAChange(@TempDir Path directory) throws Exception {
    DatabaseSettings shared = DatabaseSettings.from(ConfigFactory.load(TestNodes.config()));
    try (Connection connection = DriverManager.getConnection(shared.jdbcUrl(), shared.user(), shared.password());
        Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
          + SLOT + "' AND NOT active");
    }
    String database = TestNodes.ownDatabase("sources_crash");
    DatabaseSettings db = DatabaseSettings.from(config(database));
    Random random = new Random(42);
    try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE crash_sales (id int PRIMARY KEY, register int NOT NULL, cents bigint NOT NULL)");
      statement.execute("ALTER TABLE crash_sales REPLICA IDENTITY FULL");
      statement.execute("CREATE TABLE crash_computes (key text NOT NULL)");
      // Two rows per key, so that rows can move between keys; the unchanged keys' rows are never touched.
      statement.execute("INSERT INTO crash_sales SELECT g, g % " + (KEYS + UNCHANGED) + ", 100 FROM generate_series(0, "
          + (2 * (KEYS + UNCHANGED) - 1) + ") g");
    }
    Path conf = directory.resolve("node.conf");
    Files.writeString(conf, database);
    long finalLsn = 0;
    long confirmedAtKill = 0;
    int afterKill = 0;
    try (ChildJvm node = ChildJvm.start(SourcesCrashTest.class, conf.toString());
        Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      Eventually.until("the node to compute its keys", Duration.ofMinutes(3), node::lines,
          output -> output.contains("READY"));
      long quarter = 0;
      boolean killed = false;
      for (int done = 0; done < UPDATES; done += PER_TRANSACTION) {
        finalLsn = update(connection, random);
        if (done + PER_TRANSACTION == UPDATES / 4) {
          quarter = finalLsn;
        }
        if (!killed && done >= UPDATES / 4) {
          long after = quarter;
          if (done + PER_TRANSACTION >= UPDATES / 2) { // at the latest here: wait for it to be under way
            Eventually.until("the node to apply part of the stream", Duration.ofMinutes(2), () -> confirmed(connection),
                lsn -> Long.compareUnsigned(lsn, after) > 0);
          }
          if (Long.compareUnsigned(confirmed(connection), after) > 0) {
            node.kill(); // SIGKILL, while the stream goes on
            confirmedAtKill = confirmed(connection);
            killed = true;
          }
        } else if (killed) {
          afterKill += PER_TRANSACTION;
        }
      }
      assertTrue(killed, "the node was killed in the middle of the stream");
    }

    ActorTestKit restarted = TestNodes.start("SourcesCrashRestarted", config(database));
    try {
      Kck kck = Kck.start(restarted.system(), totals(config(database)));
      SourceConsumer consumer = Eventually.until("the consumer to start", () -> Engine.on(restarted.system()).sources()
          .consumer(), Optional::isPresent).orElseThrow();
      long target = finalLsn;
      Eventually.until("the restarted node to apply the whole stream", Duration.ofMinutes(3), consumer::confirmedLsn,
          applied -> Long.compareUnsigned(applied, target) > 0);
      Map<Integer, Long> expected = sums(db);
      List<String> wrong = new ArrayList<>();
      for (int register = 0; register < KEYS + UNCHANGED; register++) {
        Optional<Object> value = Stages.await(kck.getIfPresent("crash-total/" + register));
        Long want = expected.getOrDefault(register, 0L);
        if (value.isEmpty() || !want.equals(value.get())) {
          wrong.add(register + ": " + value + " but SQL says " + want);
        }
      }
      assertEquals(List.of(), wrong, "every key equals its compute on the final rows");
      Map<String, Integer> computes = computes(db);
      assertEquals(KEYS + UNCHANGED, computes.size(), "every key was computed (once, before the crash)");
      computes.forEach((key, count) -> assertEquals(1, count, key + " was computed " + count + " times"));
      System.out.printf("SourcesCrashTest: killed with the slot confirmed at %X (the stream went on to %X); the restarted"
          + " node read %d changes for %d updates made after the kill (the others were delivered again: skipped by"
          + " keys that had applied them, applied by the others), and sent %d requests%n", confirmedAtKill, finalLsn,
          consumer.changesRead(), afterKill, consumer.requestsSent());
      assertTrue(consumer.changesRead() >= afterKill, "it read at least what was written after the kill");
    } finally {
      restarted.shutdownTestKit();
    }
  }

  /** One transaction of updates (some move a row to another key); answers an LSN before its commit. */
  private static long update(Connection connection, Random random) throws SQLException {
    connection.setAutoCommit(false);
    try (PreparedStatement statement = connection.prepareStatement(
        "UPDATE crash_sales SET cents = cents + ?, register = coalesce(?, register) WHERE id = ?")) {
      for (int i = 0; i < PER_TRANSACTION; i++) {
        int row = random.nextInt(2 * KEYS);
        int id = row < KEYS ? row : row + UNCHANGED; // the rows of the changing keys only, never the unchanged ones'
        statement.setInt(1, 1 + random.nextInt(100));
        if (random.nextInt(10) == 0) {
          statement.setInt(2, random.nextInt(KEYS)); // moves the row to another key: both change
        } else {
          statement.setNull(2, java.sql.Types.INTEGER);
        }
        statement.setInt(3, id);
        statement.addBatch();
      }
      statement.executeBatch();
    }
    long lsn = lsnOf(connection, "pg_current_wal_insert_lsn()");
    connection.commit();
    connection.setAutoCommit(true);
    return lsn;
  }

  private static long lsnOf(Connection connection, String expression) throws SQLException {
    String sql = expression.contains("(") ? "SELECT " + expression + " - '0/0'::pg_lsn" : "SELECT 0";
    try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  private static long confirmed(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT coalesce(confirmed_flush_lsn - '0/0'::pg_lsn, 0)"
            + " FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")) {
      return row.next() ? row.getLong(1) : 0;
    }
  }

  private static Map<Integer, Long> sums(DatabaseSettings db) throws SQLException {
    Map<Integer, Long> sums = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT register, sum(cents) FROM crash_sales GROUP BY register")) {
      while (rows.next()) {
        sums.put(rows.getInt(1), rows.getLong(2));
      }
    }
    return sums;
  }

  private static Map<String, Integer> computes(DatabaseSettings db) throws SQLException {
    Map<String, Integer> computes = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT key, count(*) FROM crash_computes GROUP BY key")) {
      while (rows.next()) {
        computes.put(rows.getString(1), rows.getInt(2));
      }
    }
    return computes;
  }
}
