package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.Config;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.errors.ComputeFailedException;
import io.kck.errors.OverloadedException;
import io.kck.primer.Augment;
import io.kck.primer.Primer;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real PostgreSQL underneath: durable defaults, schema, external URLs, a bounded journal. */
class DatabaseTest {
  // One node for the tests that need no settings of their own: a short journal, a small buffer.
  static final CountingPrimer localHits = new CountingPrimer("local-hits");
  static final CountingPrimer writeFailure = new CountingPrimer("write-failure").body((key, count) -> "v" + count);
  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("DatabaseTest", TestNodes.config(
        "kck.entity.snapshot-every = 5\nkck.entity.keep-snapshots = 2\nkck.entity.stash-capacity = 5"));
    kck = Kck.start(testKit.system(), localHits, writeFailure);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theEmbeddedDefaultIsDurable() throws Exception {
    KckDatabaseProvider.DatabaseSettings durable = EmbeddedAccess.owner("target/kck-test-postgres-durable", true);
    try (Connection connection = DriverManager.getConnection(durable.jdbcUrl(), durable.user(), durable.password());
        Statement statement = connection.createStatement()) {
      assertEquals("on", show(statement, "fsync"));
      assertEquals("on", show(statement, "synchronous_commit"));
      assertEquals("on", show(statement, "full_page_writes"));
    }
  }

  @Test
  void anExternalDatabaseIsUsedThroughItsUrlAndGetsItsSchemaCreated() throws Exception {
    // The test's embedded server stands in for an external PostgreSQL, with a database of its own.
    String database = TestNodes.ownDatabase("external_kck");
    String url = database.substring(database.indexOf('"') + 1, database.indexOf('"', database.indexOf('"') + 1));
    ActorTestKit testKit = TestNodes.start("DatabaseTestExternal", TestNodes.config(database));
    try {
      CountingPrimer primer = new CountingPrimer("external");
      Kck kck = Kck.start(testKit.system(), primer);
      Stages.await(kck.get("external/a"));
      try (Connection connection = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY, url);
          Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery(
              "SELECT count(*) FROM event_journal WHERE persistence_id = 'kck-key|external/a'")) {
        rows.next();
        assertEquals(1, rows.getInt(1));
      }
    } finally {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void theJournalOfAKeyStaysBoundedHoweverOftenItIsWrittenAndARestartReadsTheLastValue() throws Exception {
    // Its own database and node, so that a restart is a new node reading what the first one left.
    String database = TestNodes.ownDatabase("purge_kck");
    String url = database.substring(database.indexOf('"') + 1, database.indexOf('"', database.indexOf('"') + 1));
    Config config = TestNodes.config(database + "\nkck.entity.snapshot-every = 20\nkck.entity.keep-snapshots = 2");
    int puts = 10_000;
    ActorTestKit writer = TestNodes.start("DatabaseTestPurge", config);
    try {
      Kck kck = Kck.start(writer.system(), new CountingPrimer("purge"));
      // 50 in flight: the key writes them one after the other, snapshotting every 20th.
      List<CompletableFuture<?>> inFlight = new ArrayList<>();
      for (int i = 1; i <= puts; i++) {
        inFlight.add(kck.put("purge/k", "v" + i).toCompletableFuture());
        if (inFlight.size() == 50) {
          CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get();
          inFlight.clear();
        }
      }
      CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get();
      Eventually.passes("the old rows of purge/k to be purged", () -> {
        try (Connection connection = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY, url);
            Statement statement = connection.createStatement()) {
          String events = "event_journal WHERE persistence_id = 'kck-key|purge/k'";
          String snapshots = "snapshot WHERE persistence_id = 'kck-key|purge/k'";
          // keep-snapshots snapshots, and every event after the older of them, none before it: fewer
          // than snapshot-every x keep-snapshots events, however many were written.
          assertEquals(2, count(statement, snapshots), "snapshots kept after " + puts + " puts");
          int oldestSnapshot = number(statement, "SELECT min(sequence_number) FROM " + snapshots);
          int lastEvent = number(statement, "SELECT max(sequence_number) FROM " + events);
          assertTrue(lastEvent >= puts, "the last event is kept: " + lastEvent);
          assertEquals(lastEvent - oldestSnapshot, count(statement, events + " AND sequence_number > " + oldestSnapshot),
              "the events after the older kept snapshot");
          assertEquals(0, count(statement, events + " AND sequence_number <= " + oldestSnapshot),
              "events behind the kept snapshots");
          assertTrue(count(statement, events) < 40, "events kept after " + puts + " puts");
        }
      });
    } finally {
      writer.shutdownTestKit();
    }
    ActorTestKit restarted = TestNodes.start("DatabaseTestPurgeRestarted", config);
    try {
      Kck kck = Kck.start(restarted.system(), new CountingPrimer("purge"));
      Entry<Object> entry = Stages.await(kck.getEntry("purge/k"));
      assertEquals("v" + puts, entry.value());
      assertEquals(puts, entry.version());
    } finally {
      restarted.shutdownTestKit();
    }
  }

  @Test
  void aKeyWithLargeValuesSnapshotsByBytesLongBeforeSnapshotEvery() throws Exception {
    String database = TestNodes.ownDatabase("snapshot_bytes_kck");
    String url = database.substring(database.indexOf('"') + 1, database.indexOf('"', database.indexOf('"') + 1));
    ActorTestKit node = TestNodes.start("DatabaseTestSnapshotBytes", TestNodes.config(database
        + "\nkck.entity.snapshot-every = 100\nkck.entity.snapshot-after-bytes = 4KiB"));
    try {
      Kck kck = Kck.start(node.system(), new CountingPrimer("large"));
      for (int i = 0; i < 6; i++) {
        Stages.await(kck.put("large/k", "x".repeat(3000) + i)); // ~3 KB each: a snapshot every second put
      }
      try (Connection connection = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY, url);
          Statement statement = connection.createStatement()) {
        // Snapshots at puts 2, 4 and 6, none at 100: the byte budget decides (the purge keeps 2 of them).
        Eventually.passes("the snapshots of large/k", () -> assertEquals(6, number(statement,
            "SELECT max(sequence_number) FROM snapshot WHERE persistence_id = 'kck-key|large/k'")));
      }
    } finally {
      node.shutdownTestKit();
    }
  }

  @Test
  void localHitsAnswerTheAcknowledgedValueWhileTheKeyWaitsOnTheJournal() throws Exception {
    String url = EmbeddedPostgresServer.jdbcUrl(Path.of(TestNodes.DATA_DIRECTORY), false, Duration.ofMinutes(1));
    try (Connection blocker = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY, url)) {
      Object before = Stages.await(kck.get("local-hits/k"));
      blocker.setAutoCommit(false);
      try (Statement statement = blocker.createStatement()) {
        statement.execute("LOCK TABLE event_journal IN EXCLUSIVE MODE");
      }
      CompletableFuture<Entry<Object>> put = kck.put("local-hits/k", "imported").toCompletableFuture();
      // The key's actor is stuck writing; gets on its node do not need it: 200 answers, none
      // overloaded, all with the value acknowledged so far (the put is not, yet).
      for (int i = 0; i < 200; i++) {
        assertEquals(before, Stages.await(kck.get("local-hits/k")));
      }
      assertTrue(!put.isDone());
      blocker.commit();
      assertEquals(2, Stages.await(put).version());
      assertEquals("imported", Stages.await(kck.get("local-hits/k")), "after the put is acknowledged, its value");
    }
  }

  @Test
  void requestsBeyondTheBufferOfABusyKeyFailFastWithOverloaded() throws Exception {
    // Local hits off: gets must reach the key's actor, which buffers them while it writes.
    ActorTestKit testKit = TestNodes.start("DatabaseTestOverload",
        TestNodes.config("kck.entity.stash-capacity = 5\nkck.entity.local-hits = off"));
    String url = EmbeddedPostgresServer.jdbcUrl(Path.of(TestNodes.DATA_DIRECTORY), false, Duration.ofMinutes(1));
    try (Connection blocker = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY, url)) {
      Primer<String> busy = Primer.builder("overload", String.class).parameters(CountingPrimer.ID)
          .compute((key, context) -> "value of " + key.get(CountingPrimer.ID))
          .augment(Augment.of(String.class, (value, more) -> value + more))
          .build();
      Primer<Integer> reader = Primer.builder("overload-reader", Integer.class).parameters(CountingPrimer.ID)
          .compute((key, context) -> context.get(busy.key(key.get(CountingPrimer.ID))).length())
          .build();
      Kck kck = Kck.start(testKit.system(), busy, reader);
      Stages.await(kck.get("overload/k"));

      // Hold the journal: the key's next write waits, and requests queue up behind it.
      blocker.setAutoCommit(false);
      try (Statement statement = blocker.createStatement()) {
        statement.execute("LOCK TABLE event_journal IN EXCLUSIVE MODE");
      }
      CompletableFuture<Entry<Object>> put = kck.put("overload/k", "imported").toCompletableFuture();
      // Augments are requests of their own (concurrent gets of one key share one): the buffer takes
      // five, the rest fail at once.
      List<CompletableFuture<Long>> augments = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        augments.add(kck.augment("overload/k", "+").toCompletableFuture());
      }
      Eventually.until("the augments beyond the buffer to fail",
          () -> augments.stream().filter(CompletableFuture::isCompletedExceptionally).count(), failed -> failed == 195);
      for (CompletableFuture<Long> augment : augments) {
        if (augment.isCompletedExceptionally()) {
          Stages.failure(augment, OverloadedException.class);
        }
      }
      // Every kind of request is answered at once, not after kck.request-timeout (150 s): an
      // augment, an inspection, a stampede of gets (one shared request, refused for all), and a
      // read by another key's compute (which then fails with it).
      Duration atOnce = Duration.ofSeconds(20);
      Stages.failure(kck.augment("overload/k", "!"), OverloadedException.class, atOnce);
      Stages.failure(kck.admin().inspect(kck.key("overload/k")), OverloadedException.class, atOnce);
      List<CompletableFuture<Object>> gets = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        gets.add(kck.get("overload/k").toCompletableFuture());
      }
      for (CompletableFuture<Object> get : gets) {
        Stages.failure(get, OverloadedException.class, atOnce);
      }
      ComputeFailedException read = Stages.failure(kck.get("overload-reader/k"), ComputeFailedException.class, atOnce);
      assertInstanceOf(OverloadedException.class, read.getCause(), read.getMessage());
      assertTrue(!put.isDone(), "a put is not acknowledged before it is written");
      blocker.commit();

      assertEquals(2, Stages.await(put).version());
      for (CompletableFuture<Long> augment : augments) {
        if (!augment.isCompletedExceptionally()) {
          Stages.await(augment);
        }
      }
      Entry<Object> last = Stages.await(kck.getEntry("overload/k"));
      assertEquals("imported+++++", last.value(), "the five buffered augments applied once each, after the put");
      assertEquals(7, last.version());
    } finally {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void aWriteThatFailsIsReportedAndNotApplied() throws Exception {
    String url = EmbeddedPostgresServer.jdbcUrl(Path.of(TestNodes.DATA_DIRECTORY), false, Duration.ofMinutes(1));
    try (Connection admin = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY, url);
        Statement statement = admin.createStatement()) {
      Entry<Object> before = Stages.await(kck.getEntry("write-failure/k"));

      // The database now refuses every new event of this key (a constraint, not a timing trick).
      statement.execute("ALTER TABLE event_journal ADD CONSTRAINT kck_test_refuse_write_failure"
          + " CHECK (persistence_id <> 'kck-key|write-failure/k') NOT VALID");
      try {
        io.kck.errors.KeyUnavailableException failed =
            Stages.failure(kck.put("write-failure/k", "lost"), io.kck.errors.KeyUnavailableException.class);
        assertEquals("write-failure/k", failed.key());
      } finally {
        statement.execute("ALTER TABLE event_journal DROP CONSTRAINT kck_test_refuse_write_failure");
      }

      Entry<Object> after = Stages.await(kck.getEntry("write-failure/k"));
      assertEquals(before, after, "a put that was not acknowledged left no trace");
      // The key works on after the failure: it computes and writes again.
      Entry<?> refreshed = Stages.await(kck.refreshEntry(kck.key("write-failure/k")));
      assertEquals(before.version() + 1, refreshed.version());
    }
  }

  private static String show(Statement statement, String setting) throws Exception {
    try (ResultSet rows = statement.executeQuery("SHOW " + setting)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static int count(Statement statement, String from) throws Exception {
    return number(statement, "SELECT count(*) FROM " + from);
  }

  private static int number(Statement statement, String query) throws Exception {
    try (ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
