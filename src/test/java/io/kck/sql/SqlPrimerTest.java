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
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
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
          freshness { policy = periodic, interval = 10m }
        }
        kck.sql-primers."sql-typed" {
          parameters = [ { name = register, type = int } ]
          query = "SELECT item, cents, sold_at AS at FROM sql_test_sales WHERE register = :register ORDER BY day, sold_at"
          row-class = "io.kck.sql.SqlPrimerTest$SaleRow"
        }
        kck.sql-primers."sql-by-item" {
          parameters = [ { name = item, type = string } ]
          query = "SELECT count(*)::int AS sales FROM sql_test_sales WHERE item = :item"
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

  private static IllegalArgumentException refused(String name, String type, String query) {
    return assertThrows(IllegalArgumentException.class, () -> SqlPrimer.fromConfig(ConfigFactory.parseString(
        "kck.sql-primers.\"%s\" { url = \"jdbc:postgresql://127.0.0.1:1/none\", parameters = [ { name = register, type = %s } ], query = \"%s\" }"
            .formatted(name, type, query))));
  }
}
