package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorSystem;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import akka.testkit.javadsl.TestKit;
import com.typesafe.config.ConfigFactory;
import io.kck.testing.TestNodes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What Akka's journal TCK does not reach in KCK's journal: writes of many keys that share one
 * statement. A write that fails on a constraint fails alone, every other write of its batch is
 * stored; a write's events are stored all or none; writes past the batch bounds are all stored.
 */
class GroupCommitTest {
  static ActorSystem system;
  static JournalDatabase database;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create("GroupCommitTest", ConfigFactory.load(TestNodes.config(
        TestNodes.ownDatabase("group_commit") + "kck.journal.write-threads = 1\nkck.journal.max-rows-per-write = 50\n")));
    SchemaUtils.createIfNotExists("kck.journal", system).toCompletableFuture().get(1, TimeUnit.MINUTES);
    database = JournalDatabase.get(system);
  }

  @AfterAll
  static void stop() {
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void aWriteThatBreaksAConstraintFailsAloneAndTheRestOfItsBatchIsStored() throws Exception {
    database.writes().write(List.of(row("taken", 1))).get(30, TimeUnit.SECONDS);
    // One writer thread, held busy by a first write: the ones after it wait and go as one batch.
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    writes.add(database.writes().write(List.of(row("first", 1))));
    for (int i = 0; i < 20; i++) {
      writes.add(database.writes().write(List.of(row("batch-" + i, 1), row("batch-" + i, 2))));
    }
    CompletableFuture<Void> duplicate = database.writes().write(List.of(row("taken", 2), row("taken", 1)));
    writes.add(database.writes().write(List.of(row("last", 1))));

    CompletionException failed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, duplicate::join);
    assertInstanceOf(java.sql.SQLException.class, failed.getCause());
    assertTrue(failed.getCause().getMessage().contains("duplicate key"), failed.getCause().getMessage());
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertEquals(1, rows("first"));
    for (int i = 0; i < 20; i++) {
      assertEquals(2, rows("batch-" + i), "batch-" + i);
    }
    assertEquals(1, rows("last"));
    assertEquals(1, rows("taken"), "the failed write stored none of its events");
  }

  @Test
  void writesPastTheBatchBoundsAreAllStored() throws Exception {
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      writes.add(database.writes().write(List.of(row("many-" + i, 1))));
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    try (Connection connection = database.connection();
         PreparedStatement count = connection.prepareStatement(
             "SELECT count(*) FROM " + database.events() + " WHERE persistence_id LIKE 'many-%'");
         ResultSet row = count.executeQuery()) {
      row.next();
      assertEquals(300, row.getInt(1));
    }
  }

  private static GroupCommit.EventRow row(String persistenceId, long sequenceNr) {
    return new GroupCommit.EventRow(persistenceId, sequenceNr, "writer", System.currentTimeMillis(), "",
        database.serialize(persistenceId + "#" + sequenceNr), null);
  }

  private static int rows(String persistenceId) throws Exception {
    try (Connection connection = database.connection();
         PreparedStatement count = connection.prepareStatement(
             "SELECT count(*) FROM " + database.events() + " WHERE persistence_id = ?")) {
      count.setString(1, persistenceId);
      try (ResultSet row = count.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }
}
