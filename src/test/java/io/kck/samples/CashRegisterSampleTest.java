package io.kck.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.samples.cashregister.CashRegisterSample;
import io.kck.samples.cashregister.CashRegisterSample.Report;
import io.kck.samples.cashregister.League;
import io.kck.samples.cashregister.RegisterDay;
import io.kck.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import io.kck.persistence.KckDatabaseProvider.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The sample, run twice as a user would, on the project's conf/application.conf. */
class CashRegisterSampleTest {

  private static long storeTotal(League league, int store) {
    return league.ranking().stream().filter(s -> s.store() == store).findFirst().orElseThrow().totalCents();
  }

  static final String SLOT = "kck_sources_sample_test";

  @AfterAll
  static void dropTheSamplesSlot() throws Exception {
    DatabaseSettings database = DatabaseSettings.from(ConfigFactory.load(TestNodes.config()));
    try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement statement = connection.createStatement()) {
      // Left alone, a slot nobody reads keeps the server's WAL for every later test in this JVM.
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
          + SLOT + "' AND NOT active");
      statement.execute("DROP PUBLICATION IF EXISTS " + SLOT);
      statement.execute("DROP TABLE IF EXISTS counter_sales");
    }
  }

  @Test
  void theFirstRunImportsOnceAndTheSecondReadsEverythingBackFromPostgres() throws Exception {
    // A slot of the sample's own on the shared test server, dropped at the end.
    Config config = ConfigFactory.load(
        TestNodes.config("kck.http.port = 0\nkck.sources.slot = " + SLOT + "\nkck.sources.publication = " + SLOT)
            .withFallback(io.kck.samples.cashregister.NodeCertificates.ensure(java.nio.file.Path.of("target/sample-tls")))
            .withFallback(ConfigFactory.parseFile(new File("conf/application.conf"))));

    ByteArrayOutputStream firstOutput = new ByteArrayOutputStream();
    Report first = CashRegisterSample.run(config, new PrintStream(firstOutput, true, StandardCharsets.UTF_8));
    String firstText = firstOutput.toString(StandardCharsets.UTF_8);
    assertEquals(5, first.imports(), firstText);  // one per register: 1,000 concurrent gets of one made one import
    assertEquals(0, first.keysFromStore(), firstText);
    assertTrue(firstText.contains("imports so far: 1"), firstText);

    ByteArrayOutputStream secondOutput = new ByteArrayOutputStream();
    Report second = CashRegisterSample.run(config, new PrintStream(secondOutput, true, StandardCharsets.UTF_8));
    String secondText = secondOutput.toString(StandardCharsets.UTF_8);
    assertEquals(0, second.imports(), secondText);
    assertEquals(5, second.keysFromStore(), secondText);
    assertTrue(secondText.contains("5 of 5 values came from PostgreSQL without recomputing"), secondText);
    // Every register's day read back as it was, but register 2's: the first run sold a cake there;
    // and register 3's: a till inserted a sale into counter_sales.
    for (int register = 1; register <= 5; register++) {
      RegisterDay before = first.days().get(register - 1).value();
      RegisterDay after = second.days().get(register - 1).value();
      if (register == 2 || register == 3) {
        assertEquals(before.sales().size() + 1, after.sales().size());
        assertEquals(before.totalCents() + (register == 2 ? 45_00 : 12_50), after.totalCents());
      } else {
        assertEquals(first.days().get(register - 1), second.days().get(register - 1));
      }
    }
    // The new sale reached the league table through store 1's totals, with no get in between.
    for (Report run : List.of(first, second)) {
      long storeOneBefore = storeTotal(run.leagueBefore(), 1);
      assertEquals(storeOneBefore + 45_00, storeTotal(run.leagueAfter(), 1));
      assertEquals(storeTotal(run.leagueBefore(), 2), storeTotal(run.leagueAfter(), 2));
    }
    assertTrue(secondText.contains("ms later the league table has it"), secondText);

    // A sale inserted with plain SQL reached its register's day (one delta, no import) and the
    // league table two levels up, on their own; the sample printed how long each took.
    for (Report run : List.of(first, second)) {
      assertEquals(run.rungUpBefore().version() + 1, run.rungUpAfter().version(),
          "before " + run.rungUpBefore() + "\nafter " + run.rungUpAfter() + "\n" + firstText + "\n" + secondText);
      assertEquals(run.rungUpBefore().value().plus(run.rungUp()), run.rungUpAfter().value());
      assertEquals(storeTotal(run.leagueAfter(), 1) + 12_50, storeTotal(run.leagueAfterRungUp(), 1),
          "the league table: before " + run.leagueAfter() + ", after the SQL insert " + run.leagueAfterRungUp());
      assertEquals(storeTotal(run.leagueAfter(), 2), storeTotal(run.leagueAfterRungUp(), 2));
    }
    assertTrue(firstText.contains("inserted into counter_sales for register 3 with plain JDBC"), firstText);
    assertTrue(secondText.matches("(?s).*had it [0-9.]+ ms after the commit.*the league table [0-9.]+ ms after.*"),
        secondText);

    // Kept warm and periodic: every watched register was re-imported, with no get in between.
    second.live().forEach(entry -> assertTrue(entry.version() >= 3, entry.toString()));
    // Always fresh: 2 gets one after another took 2 readings; the 10 concurrent ones shared
    // (a get that arrives while a reading runs waits for the next one), so not one each. How many
    // they shared depends on how fast this machine sent them, so only "shared" is asserted.
    assertTrue(second.tillReadings() >= 3 && second.tillReadings() < 2 + 10, secondText);
  }
}
