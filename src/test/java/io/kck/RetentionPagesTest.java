package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.entity.KeyCommand;
import io.kck.persistence.JournalPosition;
import io.kck.persistence.JournalRows;
import io.kck.persistence.UnwrittenPage;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.KeyStatuses;
import io.kck.testing.LiveKeys;
import io.kck.testing.ShiftedClock;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retention sweep walks the journal in pages (kck.retention.sweep-page-rows) on a real
 * PostgreSQL: whatever the page size, it finds exactly the keys none of whose rows (events or
 * snapshots) was written since their primer's cutoff, also when a page cuts through a key's rows,
 * among rows of other primers and of what is not a key; and a sweep that stops at max-per-sweep
 * is continued by the next, until every such key is forgotten.
 */
class RetentionPagesTest {
  private static final long CUTOFF = 1_000_000L;
  private static final long OLD = CUTOFF - 500;
  private static final long NEW = CUTOFF + 500;

  private final ShiftedClock clock = new ShiftedClock();
  private final CountingPrimer swept = new CountingPrimer("pages-swept");
  private String database;
  private ActorTestKit testKit;
  private Kck kck;

  @BeforeEach
  void start() {
    database = TestNodes.ownDatabase("retention_pages");
    testKit = TestNodes.start("RetentionPagesTest", TestNodes.config(database
        + "\nkck.retention.sweep-page-rows = 2\nkck.retention.max-per-sweep = 3"));
    kck = Kck.builder(testKit.system()).clock(clock).primers(swept).start();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyPageSizeFindsExactlyTheKeysUnwrittenSinceTheirCutoff() throws Exception {
    Stages.await(kck.get("pages-swept/started")); // the tables exist
    Set<String> expected = new HashSet<>();
    Set<String> kept = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      String key = "pages-walk/" + (char) ('a' + i); // 1 to 4 events each, so that pages cut keys
      long[] times = IntStream.rangeClosed(1, 1 + i % 4).mapToLong(n -> OLD).toArray();
      if (i % 3 == 1) {
        times[times.length / 2] = NEW; // a recent row amid old ones, not the last
      }
      insertEvents("kck-key|" + key, times);
      (i % 3 == 1 ? kept : expected).add(key);
    }
    insertEvents("kck-key|pages-walk/snapshotted", OLD, OLD);
    insertSnapshot("kck-key|pages-walk/snapshotted", NEW); // written since: a snapshot counts
    insertEvents("kck-key|pages-other/a", OLD, OLD, OLD); // a primer whose keys are not swept
    insertEvents("kck-key|pages-walk", OLD); // a key without a slash: its primer is its name
    insertEvents("kck-keys|pages-walk/x", OLD, OLD); // not a key's row
    insertEvents("kck-warm-keys-like", OLD);
    ToLongFunction<String> cutoffOf = key -> key.startsWith("pages-walk/") ? CUTOFF : Long.MIN_VALUE;

    try (JournalRows rows = new JournalRows(testKit.system(), testKit.system().settings().config())) {
      for (int pageRows : new int[] {1, 2, 3, 5, 7, 1000}) {
        List<String> found = walk(rows, cutoffOf, 1000, pageRows);
        assertEquals(expected, new HashSet<>(found), "pages of " + pageRows + " rows (kept: " + kept + ")");
        assertEquals(expected.size(), found.size(), "each key once, pages of " + pageRows + ": " + found);
        List<String> inSmallPages = walk(rows, cutoffOf, 2, pageRows); // pages that stop at 2 keys, then go on
        assertEquals(found, inSmallPages, "pages of at most 2 keys and " + pageRows + " rows");
      }
      assertThrows(IllegalArgumentException.class,
          () -> rows.unwrittenSince(cutoffOf, Optional.empty(), Optional.empty(), 1, 0));
      // From a position up to one: the walk's two halves are the whole.
      List<String> all = walk(rows, cutoffOf, 1000, 4);
      JournalPosition middle = JournalPosition.afterKey("kck-key|" + all.get(3));
      UnwrittenPage tail = Stages.await(rows.unwrittenSince(cutoffOf, Optional.of(middle), Optional.empty(), 1000, 1000));
      UnwrittenPage head = Stages.await(rows.unwrittenSince(cutoffOf, Optional.empty(), Optional.of(middle), 1000, 1000));
      List<String> joined = new ArrayList<>(head.keys());
      joined.addAll(tail.keys());
      assertEquals(all, joined);
    }
  }

  @Test
  void sweepsThatStopAtMaxPerSweepGoOnUntilEveryUnusedKeyIsForgotten() {
    List<String> keys = IntStream.range(0, 8).mapToObj(i -> "pages-swept/" + i).toList();
    keys.forEach(key -> Stages.await(kck.get(key)));
    Stages.await(kck.put("pages-swept/given", "only the application knows this")); // kept, sweep after sweep
    passivate(keys);
    clock.timePasses(Duration.ofDays(31));

    int forgotten = 0;
    List<ForgetReport> reports = new ArrayList<>();
    for (int sweep = 0; sweep < 4; sweep++) {
      ForgetReport report = Stages.await(kck.admin().forgetUnused());
      reports.add(report);
      assertTrue(report.forgotten() + report.kept() <= 3, "max-per-sweep = 3: " + report);
      forgotten += report.forgotten();
    }
    assertEquals(keys.size(), forgotten, "every unused key, 3 a sweep at most: " + reports);
    for (String key : keys) {
      assertEquals(0, rows(key), key + " is forgotten");
    }
    assertTrue(rows("pages-swept/given") > 0, "a key holding data only the application gave is kept");
  }

  /** Every key of a walk from the start to the end, in pages of {@code limit} keys and {@code pageRows} rows. */
  private static List<String> walk(JournalRows rows, ToLongFunction<String> cutoffOf, int limit, int pageRows) {
    List<String> found = new ArrayList<>();
    Optional<JournalPosition> at = Optional.empty();
    do {
      UnwrittenPage page = Stages.await(rows.unwrittenSince(cutoffOf, at, Optional.empty(), limit, pageRows));
      assertTrue(page.keys().size() <= limit, page.toString());
      found.addAll(page.keys());
      at = page.next();
    } while (at.isPresent());
    return found;
  }

  private void passivate(List<String> keys) {
    Eventually.until(keys + " to stop", () -> {
      Set<String> live = LiveKeys.of(testKit);
      keys.stream().filter(live::contains)
          .forEach(key -> KeyStatuses.entity(testKit.system(), key).tell(KeyCommand.Passivate.INSTANCE));
      return live;
    }, live -> keys.stream().noneMatch(live::contains));
  }

  private Connection connect() throws Exception {
    Config settings = ConfigFactory.parseString(database);
    return DriverManager.getConnection(settings.getString("kck.database.url"), settings.getString("kck.database.user"),
        settings.getString("kck.database.password"));
  }

  private void insertEvents(String persistenceId, long... writeTimes) throws Exception {
    try (Connection connection = connect(); PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO event_journal (persistence_id, sequence_number, writer, write_timestamp, event_ser_id,"
            + " event_ser_manifest, event_payload) VALUES (?, ?, 'test', ?, 0, '', ''::bytea)")) {
      for (int i = 0; i < writeTimes.length; i++) {
        insert.setString(1, persistenceId);
        insert.setLong(2, i + 1);
        insert.setLong(3, writeTimes[i]);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private void insertSnapshot(String persistenceId, long created) throws Exception {
    try (Connection connection = connect(); PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO snapshot (persistence_id, sequence_number, created, snapshot_ser_id, snapshot_ser_manifest,"
            + " snapshot_payload) VALUES (?, 1, ?, 0, '', ''::bytea)")) {
      insert.setString(1, persistenceId);
      insert.setLong(2, created);
      insert.executeUpdate();
    }
  }

  private int rows(String key) {
    try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(
        "SELECT (SELECT count(*) FROM event_journal WHERE persistence_id = ?)"
            + " + (SELECT count(*) FROM snapshot WHERE persistence_id = ?)")) {
      statement.setString(1, "kck-key|" + key);
      statement.setString(2, "kck-key|" + key);
      try (var result = statement.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
