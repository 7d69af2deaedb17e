package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.entity.node.Engine;
import io.kck.entity.source.SourceConsumer;
import io.kck.entity.source.SourceSettings;
import io.kck.errors.KckException;
import io.kck.persistence.FirstComputes;
import io.kck.persistence.JournalNames;
import io.kck.persistence.KckDatabaseProvider.DatabaseSettings;
import io.kck.primer.Augment;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.TableSource;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Source tables: rows changed with plain JDBC reach exactly the keys they map to, through KCK's
 * replication slot (outdate, refresh, augment), keys nobody computed are not started, and the
 * slot and publication go once no source is declared and the admin's clean-up runs.
 */
class SourcesTest {
  static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
  static final String SLOT = "kck_sources_test";

  static String database;
  static DatabaseSettings db;
  static ActorTestKit testKit;
  static Kck kck;
  static final ConcurrentHashMap<String, AtomicInteger> computes = new ConcurrentHashMap<>();

  /** The total of a register's sales, straight from the table. */
  static long total(String table, int register) {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT coalesce(sum(cents), 0) FROM " + table + " WHERE register = ?")) {
      statement.setInt(1, register);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static Primer<Long> totals(String name, String table, TableSource source, boolean augment) {
    var builder = Primer.builder(name, Long.class).parameters(REGISTER)
        .compute((key, context) -> {
          computes.computeIfAbsent(key.text(), k -> new AtomicInteger()).incrementAndGet();
          return total(table, key.get(REGISTER));
        })
        .source(source);
    if (augment) {
      builder.augment(Augment.of(Long.class, (Long total, Long cents) -> total + cents));
    }
    return builder.build();
  }

  static TableSource byRegister(String table) {
    return TableSource.table(table).keyParameters(row -> List.of(row.getInt("register")));
  }

  static Config config(String slot) {
    return TestNodes.config(database + "kck.sources.slot = " + slot + "\nkck.sources.publication = " + slot + "\n");
  }

  static Connection connect() throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
  }

  static void sql(String... statements) {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      for (String each : statements) {
        statement.execute(each);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs {@code statements} in one transaction and waits until the consumer reports every change up
   * to its commit journaled by the keys it affects.
   */
  static void change(String... statements) {
    awaitApplied(commit(statements));
  }

  /** Runs {@code statements} in one transaction; answers a WAL position before its commit. */
  static long commit(String... statements) {
    long before;
    try (Connection connection = connect()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        for (String each : statements) {
          statement.execute(each);
        }
        try (ResultSet row = statement.executeQuery("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")) {
          row.next();
          before = row.getLong(1); // before this transaction's commit record
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return before;
  }

  /** Waits until the consumer reports every change up to the commit after {@code before} journaled by its keys. */
  static void awaitApplied(long before) {
    SourceConsumer consumer = Engine.on(testKit.system()).sources().consumer().orElseThrow();
    Eventually.until("the consumer to apply the change at " + before, consumer::confirmedLsn,
        applied -> Long.compareUnsigned(applied, before) > 0);
  }

  static int computesOf(String key) {
    AtomicInteger count = computes.get(key);
    return count == null ? 0 : count.get();
  }

  @BeforeAll
  static void start() {
    DatabaseSettings shared = DatabaseSettings.from(ConfigFactory.load(TestNodes.config()));
    try (Connection connection = DriverManager.getConnection(shared.jdbcUrl(), shared.user(), shared.password());
        Statement statement = connection.createStatement()) {
      // A slot of an earlier run would keep the test database from being dropped.
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
          + " WHERE slot_name LIKE 'kck_sources_test%' AND NOT active");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    database = TestNodes.ownDatabase("sources_test");
    db = DatabaseSettings.from(ConfigFactory.load(TestNodes.config(database)));
    for (String table : List.of("src_outdate", "src_refresh", "src_augment", "src_race", "src_race_batch")) {
      sql("CREATE TABLE " + table + " (id int PRIMARY KEY, register int NOT NULL, cents bigint NOT NULL)",
          "ALTER TABLE " + table + " REPLICA IDENTITY FULL");
    }
    String sqlPrimer = """
        kck.sql-primers."src-sql" {
          url = "%s", user = "%s", password = "%s"
          parameters = [ { name = register, type = int } ]
          query = "SELECT id, cents FROM src_outdate WHERE register = :register ORDER BY id"
          sources = [ { table = src_outdate, keys { register = register }, on-change = outdate } ]
        }
        """.formatted(db.jdbcUrl(), db.user(), db.password());
    testKit = TestNodes.start("SourcesTest", ConfigFactory.parseString(sqlPrimer).withFallback(config(SLOT)));
    kck = Kck.start(testKit.system(),
        totals("src-outdate", "src_outdate", byRegister("src_outdate"), false),
        totals("src-refresh", "src_refresh", byRegister("src_refresh").onChange(TableSource.Action.REFRESH), false),
        totals("src-augment", "src_augment", byRegister("src_augment")
            .augment(row -> row.getLong("cents"), row -> -row.getLong("cents")), true),
        racing(), racingInBatches());
    Eventually.until("the consumer to read the slot",
        () -> Engine.on(testKit.system()).sources().consumer().map(SourceConsumer::connected).orElse(false),
        connected -> connected);
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void anInsertUpdateOrDeleteOutdatesExactlyTheKeysOfItsRowsAndTheNextGetRecomputes() {
    change("INSERT INTO src_outdate VALUES (1, 1, 100), (2, 2, 200)"); // applied before anything computes
    assertEquals(100L, Stages.await(kck.get("src-outdate/1")));
    assertEquals(200L, Stages.await(kck.get("src-outdate/2")));
    assertEquals(1, computesOf("src-outdate/1"));

    change("INSERT INTO src_outdate VALUES (3, 1, 50)");
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent("src-outdate/1")), "register 1's value was dropped");
    assertEquals(Optional.of(200L), Stages.await(kck.getIfPresent("src-outdate/2")), "register 2 is untouched");
    assertEquals(150L, Stages.await(kck.get("src-outdate/1")));
    assertEquals(2, computesOf("src-outdate/1"));
    assertEquals(1, computesOf("src-outdate/2"));

    // An update that moves a row from register 1 to register 2 affects both.
    change("UPDATE src_outdate SET register = 2 WHERE id = 3");
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent("src-outdate/1")));
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent("src-outdate/2")));
    assertEquals(100L, Stages.await(kck.get("src-outdate/1")));
    assertEquals(250L, Stages.await(kck.get("src-outdate/2")));

    change("DELETE FROM src_outdate WHERE id = 2");
    assertEquals(Optional.of(100L), Stages.await(kck.getIfPresent("src-outdate/1")));
    assertEquals(50L, Stages.await(kck.get("src-outdate/2")));
    assertEquals(3, computesOf("src-outdate/2"));

    SourceConsumer consumer = Engine.on(testKit.system()).sources().consumer().orElseThrow();
    assertEquals(0, consumer.pendingChanges(), "every change read was answered");
    assertEquals(0.0, consumer.lagSeconds());
    assertTrue(consumer.lagBytes() >= 0, "the slot's lag in WAL bytes: " + consumer.lagBytes());
  }

  @Test
  void aKeyNobodyComputedIsNotStartedByAChange() throws Exception {
    change("INSERT INTO src_outdate VALUES (100, 77, 5)", "UPDATE src_outdate SET cents = 6 WHERE id = 100");
    assertFalse(Stages.await(kck.admin().liveKeys()).contains("src-outdate/77"), "no actor was started");
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent("src-outdate/77")));
    assertEquals(0, computesOf("src-outdate/77"));
    assertEquals(6L, Stages.await(kck.get("src-outdate/77")), "its first compute reads the row");
  }

  @Test
  void anSqlPrimerDeclaresItsSourcesInConfiguration() {
    change("INSERT INTO src_outdate VALUES (500, 5, 1)");
    assertEquals(1, ((List<?>) Stages.await(kck.get("src-sql/5"))).size());
    change("INSERT INTO src_outdate VALUES (501, 5, 2)");
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent("src-sql/5")), "outdated by the insert");
    assertEquals(2, ((List<?>) Stages.await(kck.get("src-sql/5"))).size());
  }

  @Test
  void aRefreshSourceRecomputesAtOnce() {
    change("INSERT INTO src_refresh VALUES (1, 1, 10)");
    assertEquals(10L, Stages.await(kck.get("src-refresh/1")));
    change("INSERT INTO src_refresh VALUES (2, 1, 5)");
    Eventually.count("the refresh's recompute, without a get", () -> computesOf("src-refresh/1"), 2);
    Eventually.value(kck, "src-refresh/1", 15L);
  }

  @Test
  void anAugmentSourceAppliesEachChangeOnceAsADelta() {
    change("INSERT INTO src_augment VALUES (1, 1, 100), (2, 2, 200)");
    assertEquals(100L, Stages.await(kck.get("src-augment/1")));
    assertEquals(200L, Stages.await(kck.get("src-augment/2")));
    long version = Stages.await(kck.getEntry("src-augment/1")).version();

    change("INSERT INTO src_augment VALUES (3, 1, 40)", "INSERT INTO src_augment VALUES (4, 1, 2)");
    assertEquals(Optional.of(142L), Stages.await(kck.getIfPresent("src-augment/1")));
    assertEquals(version + 2, Stages.await(kck.getEntry("src-augment/1")).version(), "two deltas");

    change("UPDATE src_augment SET register = 2, cents = 41 WHERE id = 3"); // moves between keys, and changes
    assertEquals(Optional.of(102L), Stages.await(kck.getIfPresent("src-augment/1")));
    assertEquals(Optional.of(241L), Stages.await(kck.getIfPresent("src-augment/2")));

    change("DELETE FROM src_augment WHERE id = 1", "UPDATE src_augment SET cents = 3 WHERE id = 4");
    assertEquals(Optional.of(total("src_augment", 1)), Stages.await(kck.getIfPresent("src-augment/1")));
    assertEquals(3L, total("src_augment", 1));
    assertEquals(1, computesOf("src-augment/1"), "no recompute: deltas only");
    assertEquals(1, computesOf("src-augment/2"));
  }

  /** While set, the consumer's mapping of each src_race row waits for it (the change is held back). */
  static volatile CountDownLatch heldChanges;
  static final Semaphore changeHeld = new Semaphore(0);
  /** While set, each compute of src-race waits for it before it reads the table. */
  static volatile CountDownLatch heldComputes;
  static final Semaphore computeHeld = new Semaphore(0);
  /** While set, each compute of src-race and src-race-batch waits for it after it read the table. */
  static volatile CountDownLatch heldAfterReads;
  static final Semaphore readHeld = new Semaphore(0);

  /** Register totals of src_race (augment), whose changes and computes a test can hold back. */
  static Primer<Long> racing() {
    return Primer.builder("src-race", Long.class).parameters(REGISTER)
        .compute((key, context) -> {
          computes.computeIfAbsent(key.text(), k -> new AtomicInteger()).incrementAndGet();
          hold(heldComputes, computeHeld);
          long total = total("src_race", key.get(REGISTER));
          hold(heldAfterReads, readHeld);
          return total;
        })
        .augment(Augment.of(Long.class, (Long total, Long cents) -> total + cents))
        .source(TableSource.table("src_race").keyParameters(row -> {
          hold(heldChanges, changeHeld);
          return List.of(row.getInt("register"));
        }).augment(row -> row.getLong("cents"), row -> -row.getLong("cents")))
        .build();
  }

  /** The same as {@link #racing()} over src_race_batch, computed in batches: one pair of snapshots per batch. */
  static Primer<Long> racingInBatches() {
    return Primer.builder("src-race-batch", Long.class).parameters(REGISTER)
        .computeAll(batch -> {
          Map<Key<Long>, Long> totals = new LinkedHashMap<>();
          batch.keys().forEach(key -> {
            computes.computeIfAbsent(key.text(), k -> new AtomicInteger()).incrementAndGet();
            totals.put(key, total("src_race_batch", key.get(REGISTER)));
          });
          hold(heldAfterReads, readHeld);
          totals.forEach(batch::complete);
        })
        .augment(Augment.of(Long.class, (Long total, Long cents) -> total + cents))
        .source(TableSource.table("src_race_batch").keyParameters(row -> {
          hold(heldChanges, changeHeld);
          return List.of(row.getInt("register"));
        }).augment(row -> row.getLong("cents"), row -> -row.getLong("cents")))
        .build();
  }

  private static void hold(CountDownLatch gate, Semaphore held) {
    if (gate != null) {
      held.release();
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void acquire(Semaphore held, String what) {
    try {
      assertTrue(held.tryAcquire(60, TimeUnit.SECONDS), what);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The race of issue 32.3, on one node: a row is inserted, a get computes the key (its compute reads
   * the row), and the insert's change reaches the key only after that value was stored. The value
   * already holds the row: the change is recorded, not added again.
   */
  @Test
  void aChangeThatReachesAKeyAfterAComputeThatReadItsRowIsNotAppliedAgain() {
    String key = "src-race/1";
    CountDownLatch release = new CountDownLatch(1);
    heldChanges = release;
    long inserted;
    try {
      inserted = commit("INSERT INTO src_race VALUES (1, 1, 100)");
      acquire(changeHeld, "the consumer to read the insert");
      heldChanges = null;
      assertEquals(100L, Stages.await(kck.get(key)), "computed after the commit: it holds the row");
    } finally {
      heldChanges = null;
      release.countDown();
    }
    awaitApplied(inserted);
    assertEquals(Optional.of(100L), Stages.await(kck.getIfPresent(key)), "the insert is not counted twice");
    assertEquals(1, Stages.await(kck.getEntry(key)).version(), "no delta applied");

    change("INSERT INTO src_race VALUES (2, 1, 10)"); // committed after the compute: a delta, as before
    assertEquals(Optional.of(total("src_race", 1)), Stages.await(kck.getIfPresent(key)));
    assertEquals(110L, total("src_race", 1));
    assertEquals(1, computesOf(key), "no recompute: the later change is a delta");
  }

  /** The same race with a batch compute: the batch's snapshots tell each of its keys what it holds. */
  @Test
  void aBatchComputeThatReadTheRowIsNotToldTheChangeAgain() {
    CountDownLatch release = new CountDownLatch(1);
    heldChanges = release;
    long inserted;
    try {
      inserted = commit("INSERT INTO src_race_batch VALUES (1, 1, 100), (2, 2, 7)");
      acquire(changeHeld, "the consumer to read the insert");
      heldChanges = null;
      var first = kck.get("src-race-batch/1"); // computed together (within kck.batch.linger), or one by one
      var second = kck.get("src-race-batch/2");
      assertEquals(100L, Stages.await(first), "computed after the commit: it holds the row");
      assertEquals(7L, Stages.await(second));
    } finally {
      heldChanges = null;
      release.countDown();
    }
    awaitApplied(inserted);
    assertEquals(Optional.of(100L), Stages.await(kck.getIfPresent("src-race-batch/1")), "not counted twice");
    assertEquals(Optional.of(7L), Stages.await(kck.getIfPresent("src-race-batch/2")));
    assertEquals(1, computesOf("src-race-batch/1"));
  }

  /**
   * A row committed while a compute runs, whose change reaches the key after the value is stored:
   * the value may or may not hold the row (here it does, it read the table after the commit), so
   * it is dropped and the next get recomputes; never a delta on top.
   */
  @Test
  void aChangeCommittedWhileTheComputeRanDropsItsValueAndTheNextGetEqualsTheRows() {
    String key = "src-race/2";
    CountDownLatch computing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    heldComputes = computing;
    long inserted;
    try {
      var first = kck.get(key);
      acquire(computeHeld, "the compute to start");
      heldComputes = null;
      heldChanges = release;
      inserted = commit("INSERT INTO src_race VALUES (3, 2, 50)");
      acquire(changeHeld, "the consumer to read the insert");
      heldChanges = null;
      computing.countDown(); // it reads the table now, after the commit
      assertEquals(50L, Stages.await(first));
    } finally {
      heldComputes = null;
      heldChanges = null;
      computing.countDown();
      release.countDown();
    }
    awaitApplied(inserted);
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent(key)), "dropped: its compute ran across the commit");
    assertEquals(50L, Stages.await(kck.get(key)), "recomputed: equal to the rows");
    assertEquals(2, computesOf(key));
  }

  /**
   * The race of a key's very first compute: it reads the table, then a row of the key is committed
   * and the consumer handles its change before the compute ends. The key has no row in the journal
   * yet, but its first compute marked it before its snapshot, so the change reaches it: the compute,
   * which read the table before the commit, is run again, and the key ends equal to its rows.
   */
  @Test
  void aChangeCommittedDuringAKeysFirstComputeReachesIt() {
    String key = "src-race/3";
    CountDownLatch release = new CountDownLatch(1);
    heldAfterReads = release;
    CompletionStage<Object> first;
    try {
      first = kck.get(key);
      acquire(readHeld, "the first compute to read the table");
      heldAfterReads = null;
      awaitApplied(commit("INSERT INTO src_race VALUES (4, 3, 30)")); // the key answered, or was skipped
      assertEquals(1, computesOf(key), "the first compute is still held");
    } finally {
      heldAfterReads = null;
      release.countDown();
    }
    assertEquals(30L, Stages.await(first), "the compute that read the table before the commit was run again");
    assertEquals(Optional.of(30L), Stages.await(kck.getIfPresent(key)));
    assertEquals(30L, total("src_race", 3));
    assertEquals(2, computesOf(key));

    change("INSERT INTO src_race VALUES (5, 3, 1)"); // later changes are deltas, as for any key
    assertEquals(Optional.of(31L), Stages.await(kck.getIfPresent(key)));
    assertEquals(2, computesOf(key));
  }

  /** The same race with a batch compute: the batch marks its keys' first computes before its snapshot. */
  @Test
  void aChangeCommittedDuringAFirstBatchComputeReachesItsKey() {
    String key = "src-race-batch/3";
    CountDownLatch release = new CountDownLatch(1);
    heldAfterReads = release;
    CompletionStage<Object> first;
    try {
      first = kck.get(key);
      acquire(readHeld, "the first batch compute to read the table");
      heldAfterReads = null;
      awaitApplied(commit("INSERT INTO src_race_batch VALUES (4, 3, 30)"));
    } finally {
      heldAfterReads = null;
      release.countDown();
    }
    assertEquals(30L, Stages.await(first), "the batch that read the table before the commit was run again");
    assertEquals(Optional.of(30L), Stages.await(kck.getIfPresent(key)));
    assertEquals(30L, total("src_race_batch", 3));
  }

  /** Requests the consumer sent to keys so far (changes of keys never written nor computing are not sent). */
  static long requestsSent() {
    return Engine.on(testKit.system()).sources().consumer().orElseThrow().requestsSent();
  }

  /**
   * A row committed just before a key's first compute took its snapshot, whose change reaches the
   * key while that compute runs (the compute marked the key, so the consumer sends it): the compute
   * reads the row after the commit, so it goes on and is not run again, and the value is the rows'.
   */
  @Test
  void aChangeCommittedBeforeAKeysFirstComputeBeganDoesNotRunItAgain() {
    String key = "src-race/4";
    CountDownLatch changeGate = new CountDownLatch(1);
    CountDownLatch computeGate = new CountDownLatch(1);
    heldChanges = changeGate;
    CompletionStage<Object> first;
    try {
      long inserted = commit("INSERT INTO src_race VALUES (10, 4, 40)");
      acquire(changeHeld, "the consumer to read the insert");
      heldChanges = null;
      heldComputes = computeGate;
      first = kck.get(key); // marks the key, takes its snapshot (the insert committed), then waits before reading
      acquire(computeHeld, "the first compute to take its snapshot");
      heldComputes = null;
      long sent = requestsSent();
      changeGate.countDown(); // the change reaches the key while its compute runs
      awaitApplied(inserted);
      assertEquals(sent + 1, requestsSent(), "the change was sent to the key, which is computing");
      assertEquals(1, computesOf(key), "the first compute is still held");
    } finally {
      heldChanges = null;
      heldComputes = null;
      changeGate.countDown();
      computeGate.countDown();
    }
    assertEquals(40L, Stages.await(first), "the compute read the row after the commit");
    assertEquals(1, computesOf(key), "not run again: its snapshot showed the change committed");
    assertEquals(1, Stages.await(kck.getEntry(key)).version(), "the change was not applied on top");

    change("INSERT INTO src_race VALUES (11, 4, 2)"); // later changes are deltas, as for any key
    assertEquals(Optional.of(42L), Stages.await(kck.getIfPresent(key)));
    assertEquals(42L, total("src_race", 4));
    assertEquals(1, computesOf(key));
  }

  /**
   * A key with a value is refreshed; a row committed just before the refresh's compute took its
   * snapshot reaches the key while that compute runs: its delta is applied to the value the key has
   * (which did not hold it), but not again to the compute's result (which read the row), and the
   * compute is not run again.
   */
  @Test
  void aChangeARunningRefreshReadsIsAppliedToTheOldValueAndNotToTheNewOne() {
    String key = "src-race/5";
    change("INSERT INTO src_race VALUES (12, 5, 50)");
    assertEquals(50L, Stages.await(kck.get(key)));
    CountDownLatch changeGate = new CountDownLatch(1);
    CountDownLatch computeGate = new CountDownLatch(1);
    heldChanges = changeGate;
    CompletionStage<Object> refreshed;
    try {
      long inserted = commit("INSERT INTO src_race VALUES (13, 5, 5)");
      acquire(changeHeld, "the consumer to read the insert");
      heldChanges = null;
      heldComputes = computeGate;
      refreshed = kck.refresh(key);
      acquire(computeHeld, "the refresh to take its snapshot");
      heldComputes = null;
      changeGate.countDown();
      awaitApplied(inserted);
      assertEquals(Optional.of(55L), Stages.await(kck.getIfPresent(key)), "the delta on the value computed before");
      assertEquals(2, computesOf(key), "the refresh is still held");
    } finally {
      heldChanges = null;
      heldComputes = null;
      changeGate.countDown();
      computeGate.countDown();
    }
    assertEquals(55L, Stages.await(refreshed), "the refresh read the row: its delta is not added again");
    assertEquals(Optional.of(55L), Stages.await(kck.getIfPresent(key)));
    assertEquals(55L, total("src_race", 5));
    assertEquals(2, computesOf(key), "the refresh was not run again");
  }

  /** The same as the first-compute case with a batch compute: the batch tells each of its keys its snapshot. */
  @Test
  void aChangeCommittedBeforeAFirstBatchComputeBeganDoesNotRunItAgain() {
    String key = "src-race-batch/4";
    CountDownLatch changeGate = new CountDownLatch(1);
    CountDownLatch computeGate = new CountDownLatch(1);
    heldChanges = changeGate;
    CompletionStage<Object> first;
    try {
      long inserted = commit("INSERT INTO src_race_batch VALUES (10, 4, 40)");
      acquire(changeHeld, "the consumer to read the insert");
      heldChanges = null;
      heldAfterReads = computeGate;
      first = kck.get(key);
      acquire(readHeld, "the first batch compute to read the table");
      heldAfterReads = null;
      long sent = requestsSent();
      changeGate.countDown();
      awaitApplied(inserted);
      assertEquals(sent + 1, requestsSent(), "the change was sent to the key, which is computing");
      assertEquals(1, computesOf(key), "the batch is still held");
    } finally {
      heldChanges = null;
      heldAfterReads = null;
      changeGate.countDown();
      computeGate.countDown();
    }
    assertEquals(40L, Stages.await(first));
    assertEquals(1, computesOf(key), "not run again: the batch's snapshot showed the change committed");
    assertEquals(1, Stages.await(kck.getEntry(key)).version(), "the change was not applied on top");
    assertEquals(40L, total("src_race_batch", 4));
  }

  /**
   * A first compute leaves a mark, which goes once its key has rows in the journal (and is a
   * minute old), or after a day whatever happened: the table does not grow with the keys.
   */
  @Test
  void aFirstComputesMarkGoesOnceItsKeyWroteOrAfterADay() {
    String key = "src-outdate/41";
    assertEquals(0L, Stages.await(kck.get(key)));
    assertEquals(1L, marks(JournalNames.persistenceId(key)), "its first compute marked it");
    assertEquals(1, computesOf(key));
    sql("UPDATE kck_first_computes SET started = now() - interval '2 minutes'"
            + " WHERE persistence_id = '" + JournalNames.persistenceId(key) + "'",
        "INSERT INTO kck_first_computes VALUES ('kck-key|src-outdate/42', now() - interval '2 days'),"
            + " ('kck-key|src-outdate/43', now() - interval '2 minutes'), ('kck-key|src-outdate/44', now())");
    FirstComputes firstComputes = new FirstComputes(Engine.on(testKit.system()).runtime().rows(),
        testKit.system().settings().config());
    try {
      Stages.await(firstComputes.clean());
    } finally {
      firstComputes.close();
    }
    assertEquals(0L, marks(JournalNames.persistenceId(key)), "its key wrote its value");
    assertEquals(0L, marks("kck-key|src-outdate/42"), "a day old: its compute ended long ago");
    assertEquals(1L, marks("kck-key|src-outdate/43"), "its key wrote nothing yet");
    assertEquals(1L, marks("kck-key|src-outdate/44"));

    change("INSERT INTO src_outdate VALUES (410, 41, 5)"); // outdates it
    assertEquals(5L, Stages.await(kck.get(key)));
    assertEquals(2, computesOf(key));
    assertEquals(0L, marks(JournalNames.persistenceId(key)), "a key with journal rows computes unmarked");
  }

  static long marks(String persistenceId) {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT count(*) FROM kck_first_computes WHERE persistence_id = ?")) {
      statement.setString(1, persistenceId);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void startFailsClearlyWithoutReplicaIdentityFullAndDropsNothingThen() {
    sql("CREATE TABLE src_plain (id int PRIMARY KEY, register int, cents bigint)");
    ActorTestKit other = TestNodes.start("SourcesTestPlain", config("kck_sources_test_plain"));
    try {
      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Kck.start(other.system(),
          totals("src-plain", "src_plain", byRegister("src_plain"), false)));
      assertTrue(refused.getMessage().contains("ALTER TABLE public.src_plain REPLICA IDENTITY FULL"), refused.getMessage());
    } finally {
      other.shutdownTestKit();
    }
  }

  @Test
  void withoutSourcesTheAdminCleanUpDropsTheSlotAndPublication() throws Exception {
    String slot = "kck_sources_test_gone";
    // Marks of its own: the class's node keeps using the default table.
    Config config = ConfigFactory.parseString("kck.database.first-computes-table = " + slot + "_marks").withFallback(config(slot));
    ActorTestKit first = TestNodes.start("SourcesTestFirst", config);
    try {
      Kck with = Kck.start(first.system(), totals("src-gone", "src_outdate", byRegister("src_outdate"), false));
      assertTrue(slotExists(slot), "a declared source made the slot");
      KckException refused = Stages.failure(with.admin().dropUnusedSources(), KckException.class);
      assertTrue(refused.getMessage().contains("remove every source first"), refused.getMessage());
    } finally {
      first.shutdownTestKit();
    }
    ActorTestKit second = TestNodes.start("SourcesTestSecond", config);
    try {
      Kck without = Kck.start(second.system(), Primer.builder("src-gone", Long.class).parameters(REGISTER)
          .compute((key, context) -> 0L).build());
      assertTrue(slotExists(slot), "starting without sources drops nothing by itself");
      Eventually.until("the slot to be released by the stopped consumer", () -> slotActive(slot), active -> !active);
      assertTrue(tableExists(slot + "_marks"), "made at the first start, with the source");
      assertEquals(List.of("slot " + slot, "publication " + slot, "table " + slot + "_marks"),
          Stages.await(without.admin().dropUnusedSources()));
      assertFalse(slotExists(slot));
      assertFalse(tableExists(slot + "_marks"), "the first computes' marks went with the slot");
      assertEquals(List.of(), Stages.await(without.admin().dropUnusedSources()), "nothing left");
    } finally {
      second.shutdownTestKit();
    }
  }

  @Test
  void aBurstOfChangesToOneKeysRowsRecomputesItAtMostOncePerRefreshWindow() throws Exception {
    StringBuilder rows = new StringBuilder();
    for (int id = 0; id < 10; id++) {
      rows.append(id == 0 ? "" : ", ").append("(").append(1000 + id).append(", 9, 1)");
    }
    change("INSERT INTO src_refresh VALUES " + rows);
    assertEquals(10L, Stages.await(kck.get("src-refresh/9")));
    Eventually.count("the computes of the refresh key", () -> computesOf("src-refresh/9"), 1);

    // 1,000 row changes in one transaction: one request, then one per window while they are read.
    String[] updates = new String[100];
    java.util.Arrays.fill(updates, "UPDATE src_refresh SET cents = cents + 1 WHERE register = 9");
    long window = 100; // kck.sources.refresh-window
    long transactionStarted = System.nanoTime();
    change(updates);
    long transactionMillis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - transactionStarted);
    int transactionRecomputes = computesOf("src-refresh/9") - 1;
    System.out.printf("1,000 row changes of one key in one transaction, applied in %d ms: %d recomputes%n",
        transactionMillis, transactionRecomputes);
    assertTrue(transactionRecomputes <= 2 + transactionMillis / window, "1,000 changes in one transaction recomputed "
        + transactionRecomputes + " times in " + transactionMillis + " ms");
    refreshedWithoutAGet("src-refresh/9", total("src_refresh", 9));

    // 1,000 row changes each in a transaction of its own: a refresh at most once per window.
    int before = computesOf("src-refresh/9");
    long started = System.nanoTime();
    try (Connection connection = connect();
        PreparedStatement update = connection.prepareStatement("UPDATE src_refresh SET cents = cents + 1 WHERE id = ?")) {
      for (int i = 0; i < 1000; i++) {
        update.setInt(1, 1000 + i % 10);
        update.executeUpdate();
      }
    }
    change("UPDATE src_refresh SET cents = cents + 1 WHERE id = 1000"); // waits until the burst was applied
    long elapsedMillis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    int recomputes = computesOf("src-refresh/9") - before;
    refreshedWithoutAGet("src-refresh/9", total("src_refresh", 9));
    System.out.printf("a burst of 1,001 commits to one key's rows in %d ms: %d recomputes%n", elapsedMillis, recomputes);
    assertTrue(recomputes >= 1, "the burst refreshed the key");
    assertTrue(recomputes <= 2 + elapsedMillis / window, recomputes + " recomputes for a burst of " + elapsedMillis
        + " ms: more than one per " + window + " ms window");
  }

  /** Waits until the refreshed key holds {@code expected}, asking only what it holds (no get computes it). */
  static void refreshedWithoutAGet(String key, long expected) {
    Eventually.until(key + " to be refreshed to " + expected, () -> Stages.await(kck.getIfPresent(key)),
        value -> value.equals(Optional.of(expected)));
  }

  @Test
  void aLaggingSlotLeavesTheNodeReadyButDegradedUntilItCatchesUp() throws Exception {
    String slot = "kck_sources_test_lag";
    sql("CREATE TABLE src_lag (id int PRIMARY KEY, register int NOT NULL, cents bigint NOT NULL)",
        "ALTER TABLE src_lag REPLICA IDENTITY FULL");
    java.util.concurrent.CountDownLatch mapping = new java.util.concurrent.CountDownLatch(1);
    ActorTestKit node = TestNodes.start("SourcesTestLag",
        ConfigFactory.parseString("kck.sources.max-lag = 300ms").withFallback(config(slot)));
    try {
      // The row-to-key function blocks until released: the change waits, as it would behind a slow key.
      Kck lagging = Kck.start(node.system(), totals("src-lag", "src_lag", TableSource.table("src_lag").keyParameters(row -> {
        try {
          mapping.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return List.of(row.getInt("register"));
      }), false));
      String base = "http://127.0.0.1:" + Stages.await(io.kck.http.KckHttp.start(lagging, "127.0.0.1", 0))
          .localAddress().getPort();
      Eventually.until("the lagging node's consumer to read the slot",
          () -> Engine.on(node.system()).sources().consumer().map(SourceConsumer::connected).orElse(false), up -> up);
      Health healthy = Stages.await(lagging.admin().health(java.time.Duration.ofSeconds(5)));
      assertTrue(healthy.ready() && !healthy.degraded(), healthy.toString());
      assertTrue(healthy.checks().stream().anyMatch(check -> check.name().equals("sources")), healthy.toString());

      sql("INSERT INTO src_lag VALUES (1, 1, 5)");
      Health degraded = Eventually.until("the node to report the lag", () -> Stages.await(
          lagging.admin().health(java.time.Duration.ofSeconds(5))), Health::degraded);
      assertTrue(degraded.ready(), "degraded, still ready: " + degraded);
      Health.Check sources = degraded.checks().stream().filter(Health.Check::degraded).findFirst().orElseThrow();
      assertEquals("sources", sources.name());
      assertTrue(sources.detail().contains("kck.sources.max-lag"), sources.detail());
      java.net.http.HttpResponse<String> ready = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health/ready")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), "degraded keeps the pod in service: " + ready.body());
      assertTrue(ready.body().contains("\"degraded\":true") && ready.body().contains("\"degradedBy\":\"sources: "),
          ready.body());

      mapping.countDown();
      Eventually.until("the node to catch up and no longer be degraded", () -> Stages.await(
          lagging.admin().health(java.time.Duration.ofSeconds(5))), health -> health.ready() && !health.degraded());
    } finally {
      mapping.countDown();
      node.shutdownTestKit();
    }
    Eventually.until("the lag test's slot to be released", () -> slotActive(slot), active -> !active);
    sql("SELECT pg_drop_replication_slot('" + slot + "')", "DROP PUBLICATION " + slot);
  }

  @Test
  void aConsumerTakesTheSlotFromAConnectionThatStillHoldsIt() throws Exception {
    String slot = "kck_sources_test_held";
    SourceSettings settings = SourceSettings.fromConfig(ConfigFactory.load(config(slot)));
    new io.kck.entity.source.SourceDatabase(settings).prepare(java.util.Set.of("public.src_outdate"));
    // The stream of a consumer whose node crashed: still open for the server, which would keep it
    // until wal_sender_timeout (60 s).
    java.util.Properties properties = new java.util.Properties();
    org.postgresql.PGProperty.USER.set(properties, db.user());
    org.postgresql.PGProperty.PASSWORD.set(properties, db.password());
    org.postgresql.PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
    org.postgresql.PGProperty.REPLICATION.set(properties, "database");
    org.postgresql.PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
    SourceConsumer consumer = new SourceConsumer(settings, List.of(), null, null, null);
    try (Connection crashed = DriverManager.getConnection(db.jdbcUrl(), properties)) {
      crashed.unwrap(org.postgresql.PGConnection.class).getReplicationAPI().replicationStream().logical()
          .withSlotName(slot).withSlotOption("proto_version", 1).withSlotOption("publication_names", slot).start();
      assertTrue(slotActive(slot), "the slot is held");
      consumer.start();
      Eventually.until("the consumer to take the slot over", java.time.Duration.ofSeconds(20), consumer::connected,
          connected -> connected);
    } finally {
      consumer.stop();
    }
    Eventually.until("the held slot to be released", () -> slotActive(slot), active -> !active);
    sql("SELECT pg_drop_replication_slot('" + slot + "')", "DROP PUBLICATION " + slot);
  }

  static boolean slotExists(String slot) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, slot);
      try (ResultSet row = statement.executeQuery()) {
        return row.next();
      }
    }
  }

  static boolean tableExists(String table) throws SQLException {
    try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?)")) {
      statement.setString(1, table);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() && row.getString(1) != null;
      }
    }
  }

  static boolean slotActive(String slot) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, slot);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }
}
