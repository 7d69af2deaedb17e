package io.kck.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.persistence.EmbeddedAccess;
import io.kck.primer.Primer;
import io.kck.primer.RefreshSchedule;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.sql.Connection;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A primer defined in HOCON alone, against a table of sales in the real PostgreSQL. */
class SqlPrimerTest {
  /** A declared row type. */
  public record SaleRow(String item, long cents, java.time.LocalTime at) {}

  @Test
  void aSqlPrimerFromConfigurationReadsRowsWithBoundParameters() throws Exception {
    ActorTestKit testKit = TestNodes.start("SqlPrimerTest", TestNodes.config("""
        kck.sql-primers."sql-sales" {
          parameters = [ { name = register, type = int }, { name = day, type = date } ]
          query = "SELECT sold_at, item, cents FROM sql_test_sales WHERE register = :register AND day = :day ORDER BY sold_at"
          tables = [ sql_test_sales ]
          freshness { policy = periodic, interval = 10m }
        }
        kck.sql-primers."sql-typed" {
          parameters = [ { name = register, type = int } ]
          query = "SELECT item, cents, sold_at AS at FROM sql_test_sales WHERE register = :register ORDER BY day, sold_at"
          row-class = "io.kck.sql.SqlPrimerTest$SaleRow"
          tables = [ public.sql_test_sales ]
        }
        kck.sql-primers."sql-by-item" {
          parameters = [ { name = item, type = string } ]
          query = "SELECT count(*)::int AS sales FROM sql_test_sales WHERE item = :item"
          tables = [ sql_test_sales ]
        }
        """));
    try {
      Kck kck = Kck.start(testKit.system());
      try (Connection connection = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY);
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE sql_test_sales (register int, day date, sold_at time, item text, cents int)");
        statement.execute("INSERT INTO sql_test_sales VALUES (1, '2026-11-02', '09:15', 'coffee', 250),"
            + " (1, '2026-11-02', '08:05', 'croissant', 180), (2, '2026-11-02', '10:00', 'coffee', 250),"
            + " (1, '2026-11-03', '09:00', 'water', 120)");
      }

      Entry<Object> entry = Stages.await(kck.getEntry("sql-sales/1/2026-11-02"));
      assertEquals(List.of(
              Map.of("sold_at", "08:05", "item", "croissant", "cents", 180),
              Map.of("sold_at", "09:15", "item", "coffee", "cents", 250)),
          entry.value());
      assertNotNull(entry.nextAttemptAt(), "the configured periodic freshness applies");

      assertEquals(List.of(Map.of("sales", 2)), Stages.await(kck.get("sql-by-item/coffee")));
      assertEquals(List.of(new SaleRow("croissant", 180, java.time.LocalTime.of(8, 5)),
              new SaleRow("coffee", 250, java.time.LocalTime.of(9, 15)), new SaleRow("water", 120, java.time.LocalTime.of(9, 0))),
          Stages.await(kck.get("sql-typed/1")));
      // A parameter is bound, never spliced into the SQL: this is an item name, not a condition.
      assertEquals(List.of(Map.of("sales", 0)), Stages.await(kck.get(
          kck.key("sql-by-item/" + java.net.URLEncoder.encode("x' OR '1'='1", java.nio.charset.StandardCharsets.UTF_8)
              .replace("+", "%20")))));
    } finally {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void aPlaceholderThatIsNotAParameterOrAnUnknownTypeFailsAtStartNamingThePrimer() {
    IllegalArgumentException failure = refused("sql-bad", "int", "SELECT 1 WHERE :store = 1");
    assertTrue(failure.getMessage().contains("sql-bad") && failure.getMessage().contains(":store"), failure.getMessage());
    IllegalArgumentException badType = refused("sql-bad-type", "float", "SELECT 1");
    assertTrue(badType.getMessage().contains("float"), badType.getMessage());
  }

  @Test
  void aTableNameThatIsNotOneFailsAtStartNamingThePrimerAndTheSetting() {
    IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> SqlPrimer.fromConfig(
        ConfigFactory.parseString("kck.sql-primers.\"sql-bad-table\" { query = \"SELECT 1\", tables = [ \"sales; DROP\" ] }")
            .withFallback(ConfigFactory.load(TestNodes.config()))));
    assertTrue(failure.getMessage().contains("kck.sql-primers.\"sql-bad-table\".tables")
        && failure.getMessage().contains("sales; DROP"), failure.getMessage());
  }

  @Test
  void aSqlPrimerDeclaresItsRefreshScheduleInItsBlock() {
    String block = "kck.sql-primers.\"sql-nightly\" { url = \"jdbc:postgresql://127.0.0.1:1/none\", user = reader,"
        + " query = \"SELECT 1\", refresh-schedule { cron = \"0 2 * * *\", zone = \"Europe/Berlin\", missed-ticks = skip } }";
    Primer<?> nightly = SqlPrimer.fromConfig(ConfigFactory.parseString(block)).get(0);
    assertEquals(Optional.of(RefreshSchedule.cron("0 2 * * *", ZoneId.of("Europe/Berlin"))
        .missedTicks(RefreshSchedule.MissedTicks.SKIP)), nightly.refreshSchedule());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> SqlPrimer.fromConfig(
        ConfigFactory.parseString(block.replace("0 2 * * *", "0 2 * *"))));
    assertTrue(bad.getMessage().contains("kck.sql-primers.\"sql-nightly\".refresh-schedule.cron"), bad.getMessage());
  }

  private static IllegalArgumentException refused(String name, String type, String query) {
    return assertThrows(IllegalArgumentException.class, () -> SqlPrimer.fromConfig(ConfigFactory.parseString(
        "kck.sql-primers.\"%s\" { url = \"jdbc:postgresql://127.0.0.1:1/none\", user = reader, parameters = [ { name = register, type = %s } ], query = \"%s\" }"
            .formatted(name, type, query))));
  }

  @Test
  void aSqlPrimerRunsReadOnlyAsTheReaderRoleWithCapsAndTimeouts() throws Exception {
    ActorTestKit testKit = TestNodes.start("SqlPrimerLimitsTest", TestNodes.config("""
        kck.sql-primers."sql-who" { query = "SELECT current_user AS who" }
        kck.sql-primers."sql-writes" {
          parameters = [ { name = n, type = int } ]
          query = "INSERT INTO sql_limits_test VALUES (:n) RETURNING n"
          tables = [ sql_limits_test ]
        }
        kck.sql-primers."sql-rows" { query = "SELECT n FROM sql_limits_test ORDER BY n", max-rows = 2, tables = [ sql_limits_test ] }
        kck.sql-primers."sql-bytes" {
          query = "SELECT repeat('x', 1000) AS text FROM sql_limits_test", max-bytes = 1000, tables = [ sql_limits_test ]
        }
        kck.sql-primers."sql-journal" { query = "SELECT count(*) AS n FROM event_journal" }
        kck.sql-primers."sql-sleeps" { query = "SELECT pg_sleep(30)", query-timeout = 1s }
        """));
    try {
      try (Connection connection = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY);
          Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE IF EXISTS sql_limits_test");
        statement.execute("CREATE TABLE sql_limits_test (n int)");
        statement.execute("INSERT INTO sql_limits_test VALUES (1), (2), (3)");
      }
      Kck kck = Kck.start(testKit.system());
      assertEquals(List.of(Map.of("who", "kck_reader")), Stages.await(kck.get("sql-who")), "not KCK's superuser");

      assertFailsWith(kck, "sql-writes/4", "read-only");
      // A table no primer names in tables is not the reader's to read: KCK's journal, for one.
      assertFailsWith(kck, "sql-journal", "permission denied");
      assertFailsWith(kck, "sql-rows", "more than 2 rows (kck.sql-primers.\"sql-rows\".max-rows)");
      assertFailsWith(kck, "sql-bytes", "larger than 1000 bytes (kck.sql-primers.\"sql-bytes\".max-bytes)");
      long started = System.nanoTime();
      assertFailsWith(kck, "sql-sleeps", "cancel");
      assertTrue(System.nanoTime() - started < 10_000_000_000L, "the query timeout (1 s) ended it");
      try (Connection connection = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY);
          Statement statement = connection.createStatement();
          java.sql.ResultSet count = statement.executeQuery("SELECT count(*) FROM sql_limits_test")) {
        count.next();
        assertEquals(3, count.getInt(1), "nothing was written");
      }
    } finally {
      testKit.shutdownTestKit();
    }
  }

  private static void assertFailsWith(Kck kck, String key, String text) {
    java.util.concurrent.CompletionException failure = assertThrows(java.util.concurrent.CompletionException.class,
        () -> kck.get(key).toCompletableFuture().join(), key);
    Throwable cause = failure.getCause().getCause() != null ? failure.getCause().getCause() : failure.getCause();
    assertTrue(String.valueOf(cause.getMessage()).contains(text), key + ": " + cause);
  }

  @Test
  void aSqlPrimerNeedsItsOwnCredentialsForAnyDatabaseButTheEmbeddedOne() {
    IllegalArgumentException ownUrl = assertThrows(IllegalArgumentException.class, () -> SqlPrimer.fromConfig(
        ConfigFactory.parseString("kck.sql-primers.\"sql-elsewhere\" { url = \"jdbc:postgresql://db.example/shop\", query = \"SELECT 1\" }")
            .withFallback(ConfigFactory.load())));
    assertTrue(ownUrl.getMessage().contains("sql-elsewhere") && ownUrl.getMessage().contains("own user"), ownUrl.getMessage());
    IllegalArgumentException external = assertThrows(IllegalArgumentException.class, () -> SqlPrimer.fromConfig(
        ConfigFactory.parseString("""
            kck.database.url = "jdbc:postgresql://db.example/kck"
            kck.sql-primers."sql-kck-external" { query = "SELECT 1" }
            """).withFallback(ConfigFactory.load())));
    assertTrue(external.getMessage().contains("own user and password"), external.getMessage());
  }
}
