package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorSystem;
import akka.persistence.SelectedSnapshot;
import akka.persistence.SnapshotSelectionCriteria;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.ConfigFactory;
import io.kck.testing.TestNodes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reads of keys that start, many keys per query: each key gets its own highest sequence number
 * and its own newest snapshot by its own criteria, whether it has rows or not, and the reads that
 * wait when a thread comes free share one query.
 */
class RecoveryReadsTest {
  static ActorSystem system;
  static JournalDatabase database;
  // Tasks handed to the read threads, run when the test says: the reads queue up meanwhile.
  static final List<Runnable> held = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create("RecoveryReadsTest", ConfigFactory.load(TestNodes.config(
        TestNodes.ownDatabase("recovery_reads"))));
    SchemaUtils.createIfNotExists("kck.journal", system).toCompletableFuture().get(1, TimeUnit.MINUTES);
    database = JournalDatabase.get(system);
    database.writes().write(List.of(row("has-events", 1), row("has-events", 2), row("has-events", 3)))
        .get(30, TimeUnit.SECONDS);
    snapshot("has-snapshots", 2, "two");
    snapshot("has-snapshots", 5, "five");
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void readsThatWaitTogetherShareOneQueryAndEachKeyGetsItsOwnAnswer() {
    held.clear();
    RecoveryReads reads = new RecoveryReads(database, held::add);
    List<CompletableFuture<Long>> unknown = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      unknown.add(reads.highestSequenceNr("new-key-" + i));
    }
    CompletableFuture<Long> events = reads.highestSequenceNr("has-events");
    CompletableFuture<Optional<SelectedSnapshot>> latest =
        reads.latestSnapshot("has-snapshots", SnapshotSelectionCriteria.latest());
    CompletableFuture<Optional<SelectedSnapshot>> upToThree =
        reads.latestSnapshot("has-snapshots", SnapshotSelectionCriteria.create(3, Long.MAX_VALUE));
    CompletableFuture<Optional<SelectedSnapshot>> none = reads.latestSnapshot("new-key-0", SnapshotSelectionCriteria.latest());
    assertEquals(304, held.size(), "one task per read");

    held.get(0).run(); // the first task of the sequence numbers takes all 301 waiting, in one query
    assertTrue(unknown.stream().allMatch(CompletableFuture::isDone));
    assertTrue(events.isDone());
    assertFalse(latest.isDone(), "snapshots are another query");
    unknown.forEach(read -> assertEquals(0L, read.join(), "a key without rows starts at 0"));
    assertEquals(3L, events.join());

    held.get(301).run(); // the first snapshot task takes the three snapshot loads
    assertEquals(5L, latest.join().orElseThrow().metadata().sequenceNr());
    assertEquals("five", latest.join().orElseThrow().snapshot());
    assertEquals(2L, upToThree.join().orElseThrow().metadata().sequenceNr(), "its own criteria");
    assertEquals("two", upToThree.join().orElseThrow().snapshot());
    assertTrue(none.join().isEmpty());
    held.forEach(Runnable::run); // the other tasks find nothing waiting and return
  }

  @Test
  void aKeysHighestSequenceNumberIsReadWithItsSnapshotAndAnsweredOnceWithoutAQuery() {
    held.clear();
    RecoveryReads reads = new RecoveryReads(database, held::add);
    CompletableFuture<Optional<SelectedSnapshot>> eventsNoSnapshot =
        reads.latestSnapshot("has-events", SnapshotSelectionCriteria.latest());
    CompletableFuture<Optional<SelectedSnapshot>> brandNew = reads.latestSnapshot("brand-new", SnapshotSelectionCriteria.latest());
    held.get(0).run(); // one query for both snapshot loads
    assertTrue(eventsNoSnapshot.join().isEmpty());
    assertTrue(brandNew.join().isEmpty());
    held.clear();

    CompletableFuture<Long> events = reads.highestSequenceNr("has-events");
    CompletableFuture<Long> none = reads.highestSequenceNr("brand-new");
    assertTrue(held.isEmpty(), "no query: the numbers came with the snapshot loads");
    assertEquals(3L, events.join());
    assertEquals(0L, none.join(), "a key without rows starts at 0");

    CompletableFuture<Long> again = reads.highestSequenceNr("has-events");
    assertEquals(1, held.size(), "a kept number answers one read: the next one queries");
    held.get(0).run();
    assertEquals(3L, again.join());
  }

  @Test
  void aReadNoThreadTakesFailsRatherThanWaitsForever() {
    held.clear();
    RecoveryReads reads = new RecoveryReads(database, task -> {
      throw new java.util.concurrent.RejectedExecutionException("stopped");
    });
    CompletableFuture<Long> refused = reads.highestSequenceNr("has-events");
    assertTrue(refused.isCompletedExceptionally(), "a read no thread takes fails rather than waits forever");
  }

  private static GroupCommit.EventRow row(String persistenceId, long sequenceNr) {
    return new GroupCommit.EventRow(persistenceId, sequenceNr, "writer", System.currentTimeMillis(), "",
        database.serialize(persistenceId + "#" + sequenceNr), null);
  }

  private static void snapshot(String persistenceId, long sequenceNr, String value) throws Exception {
    JournalDatabase.Serialized payload = database.serialize(value);
    try (Connection connection = database.connection(); PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO " + database.snapshots() + " (persistence_id, sequence_number, created, snapshot_ser_id,"
            + " snapshot_ser_manifest, snapshot_payload) VALUES (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, persistenceId);
      insert.setLong(2, sequenceNr);
      insert.setLong(3, System.currentTimeMillis());
      insert.setInt(4, payload.serializerId());
      insert.setString(5, payload.manifest());
      insert.setBytes(6, payload.bytes());
      insert.executeUpdate();
    }
  }
}
