package io.kck.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.typesafe.config.ConfigFactory;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.entity.node.Engine;
import io.kck.persistence.KckDatabaseProvider.DatabaseSettings;
import io.kck.primer.Augment;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.TableSource;
import io.kck.testing.Eventually;
import io.kck.testing.Shards;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Source tables on three nodes in one JVM: one node reads the slot (the {@code kck-sources} cluster
 * singleton, on the oldest node) and hands each change to its key's owner wherever it lives; when
 * that node crashes, another takes the slot over where it was confirmed, within the failover time
 * that docs/operations.md and docs/sources.md state, and no change is lost or applied twice.
 */
class SourcesClusterTest {
  static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
  static final int REGISTERS = 30;
  static final String SLOT = "kck_sources_cluster_test";
  /**
   * What docs/sources.md states the consumer adds to Akka's node-loss time: from the crashed node's
   * removal (failure detection, stable-after and downing are before it, docs/operations.md) to the
   * first change applied by the consumer on another node: the singleton's removal margin (3 s with
   * KCK's split-brain resolver settings), its handover and the slot's reconnect.
   */
  static final Duration CONSUMER_HANDOVER = Duration.ofSeconds(8);

  /** Computes of each key over every node: none may run again after the first. */
  static final Map<String, AtomicInteger> computes = new ConcurrentHashMap<>();

  final List<ActorTestKit> nodes = new ArrayList<>();
  final List<Kck> kcks = new ArrayList<>();
  DatabaseSettings db;

  Connection connect() throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
  }

  long total(int register) {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT coalesce(sum(cents), 0) FROM cluster_sales WHERE register = ?")) {
      statement.setInt(1, register);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  int rows(int register) {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM cluster_sales WHERE register = ?")) {
      statement.setInt(1, register);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One sale per register in {@code registers}, each sale its own committed transaction. */
  void sell(List<Integer> registers, long cents) {
    try (Connection connection = connect();
        PreparedStatement insert = connection.prepareStatement("INSERT INTO cluster_sales (register, cents) VALUES (?, ?)")) {
      for (int register : registers) {
        insert.setInt(1, register);
        insert.setLong(2, cents);
        insert.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A primer instance per node, as separate JVMs would have; the count of computes is shared. */
  Primer<Long> registerTotals() {
    return Primer.builder("cluster-src-total", Long.class).parameters(REGISTER)
        .compute((key, context) -> {
          computes.computeIfAbsent(key.text(), k -> new AtomicInteger()).incrementAndGet();
          return total(key.get(REGISTER));
        })
        .augment(Augment.of(Long.class, (Long total, Long cents) -> total + cents))
        .source(TableSource.table("cluster_sales").keyParameters(row -> List.of(row.getInt("register")))
            .augment(row -> row.getLong("cents"), row -> -row.getLong("cents")))
        .build();
  }

  void startNode(String database, Address seed) {
    String seeds = seed == null ? "" : "kck.cluster.seed-nodes = \"" + seed + "\"\n";
    ActorTestKit node = TestNodes.start("SourcesClusterTest", TestNodes.config(database + seeds + """
        kck.sources.slot = %s
        kck.sources.publication = %s
        # A request to a key of the crashed node waits this long before the consumer sends it again.
        kck.request-timeout = 3s
        akka.cluster.min-nr-of-members = 1
        akka.actor.testkit.typed.system-shutdown-default = 60s
        # A crash: the node stops without leaving the cluster or handing its shards or singletons over.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.coordinated-shutdown.terminate-actor-system = off
        """.formatted(SLOT, SLOT)));
    nodes.add(node);
    kcks.add(Kck.start(node.system(), registerTotals()));
  }

  /** The index of the node that reads the slot now; -1 when none does. */
  int consumerNode() {
    for (int i = 0; i < nodes.size(); i++) {
      if (Engine.on(nodes.get(i).system()).sources().consumer().isPresent()) {
        return i;
      }
    }
    return -1;
  }

  @AfterEach
  void stopNodes() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).shutdownTestKit();
    }
  }

  @Test
  void whenTheConsumersNodeCrashesAnotherNodeResumesFromTheSlotLosingAndRepeatingNothing() {
    DatabaseSettings shared = DatabaseSettings.from(ConfigFactory.load(TestNodes.config()));
    try (Connection connection = DriverManager.getConnection(shared.jdbcUrl(), shared.user(), shared.password());
        Statement statement = connection.createStatement()) {
      // A slot of an earlier run would keep its database from being dropped.
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
          + " WHERE slot_name = '" + SLOT + "' AND NOT active");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    String database = TestNodes.ownDatabase("sources_cluster_test");
    db = DatabaseSettings.from(ConfigFactory.load(TestNodes.config(database)));
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE cluster_sales (id serial PRIMARY KEY, register int NOT NULL, cents bigint NOT NULL)");
      statement.execute("ALTER TABLE cluster_sales REPLICA IDENTITY FULL");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    startNode(database, null);
    Address first = Cluster.get(nodes.get(0).system()).selfMember().address();
    startNode(database, first);
    startNode(database, first);
    Shards.awaitReady(nodes);

    List<Integer> registers = new ArrayList<>();
    for (int register = 1; register <= REGISTERS; register++) {
      registers.add(register);
    }
    sell(registers, 100);
    for (int register : registers) {
      assertEquals(100L, Stages.await(kcks.get(register % 3).get("cluster-src-total/" + register)));
    }
    Map<Integer, Integer> owners = new HashMap<>();
    for (int register : registers) {
      owners.put(register, Shards.ownerOf(nodes, "cluster-src-total/" + register));
    }
    int consumer = consumerNode();
    assertEquals(0, consumer, "the oldest node reads the slot, and only it");
    assertTrue(owners.containsValue(1) && owners.containsValue(2) && owners.containsValue(0),
        "keys on every node: " + owners);

    // Before the crash: changes reach keys on every node, through the consumer on node 0.
    sell(registers, 10);
    for (int register : registers) {
      Eventually.value(kcks.get(1), "cluster-src-total/" + register, 110L);
    }

    // A burst still in flight when the consumer's node crashes: some of it journaled by keys but not
    // yet confirmed to the slot, so the next consumer reads it again and the keys must skip it.
    sell(registers, 1);
    int survivor = owners.entrySet().stream().filter(owner -> owner.getValue() != 0).findFirst().orElseThrow().getKey();
    // When the crashed node is removed, as a survivor sees it: failure detection and downing are
    // Akka's (docs/operations.md's failover time); what KCK adds is from here.
    Address crashed = Cluster.get(nodes.get(0).system()).selfMember().address();
    AtomicLong removedAt = new AtomicLong();
    ActorRef<ClusterEvent.MemberRemoved> removals = nodes.get(1).spawn(Behaviors.receive(ClusterEvent.MemberRemoved.class)
        .onMessage(ClusterEvent.MemberRemoved.class, removed -> {
          if (removed.member().address().equals(crashed)) {
            removedAt.compareAndSet(0, System.nanoTime());
          }
          return Behaviors.same();
        }).build());
    Cluster.get(nodes.get(1).system()).subscriptions().tell(Subscribe.create(removals, ClusterEvent.MemberRemoved.class));
    long crashedAt = System.nanoTime();
    nodes.get(0).system().terminate();
    Stages.await(nodes.get(0).system().getWhenTerminated(), Duration.ofSeconds(60));
    nodes.remove(0);
    kcks.remove(0);
    // During the failover: a sale at a register whose key lives on a survivor.
    sell(List.of(survivor), 1000);
    long expected = total(survivor);
    Kck asked = kcks.get(0);
    Eventually.until("register " + survivor + "'s sale during the failover to be applied", Duration.ofSeconds(60),
        () -> Stages.await(asked.getIfPresent("cluster-src-total/" + survivor), Duration.ofSeconds(2)).orElse(-1L),
        seen -> seen.equals(expected));
    long appliedAt = System.nanoTime();
    long failoverMillis = TimeUnit.NANOSECONDS.toMillis(appliedAt - crashedAt);
    assertTrue(removedAt.get() != 0, "the survivors removed the crashed node before its consumer resumed");
    long afterRemovalMillis = TimeUnit.NANOSECONDS.toMillis(appliedAt - removedAt.get());
    System.out.printf("source consumer failover: the first change applied %d ms after the consumer's node crashed,"
        + " %d ms after its removal%n", failoverMillis, afterRemovalMillis);
    // The oldest survivor: the two joined together, so either may be older.
    assertTrue(consumerNode() >= 0, "a survivor reads the slot now");
    assertTrue(afterRemovalMillis <= CONSUMER_HANDOVER.toMillis(), "the consumer resumed " + afterRemovalMillis
        + " ms after its node's removal; docs/sources.md states " + CONSUMER_HANDOVER);

    // After the failover: every key, wherever it lives now, equals its rows; each delta applied once.
    sell(registers, 5);
    for (int register : registers) {
      String key = "cluster-src-total/" + register;
      long sum = total(register);
      Entry<?> entry = Eventually.until(key + " to equal its rows' total " + sum, Duration.ofSeconds(90),
          () -> Stages.await(kcks.get(register % 2).getEntry(key), Duration.ofSeconds(5)), read -> read.value().equals(sum));
      // Version 1 is the compute of the first row; every later row is one delta: none applied twice.
      assertEquals(rows(register), entry.version(), key + ": one version per row");
    }
    // One compute per key is what happens (a change committed before a key's first compute took its
    // snapshot is judged by that snapshot, also when it reaches the key first: KeyCommandSwitchTest,
    // SourcesTest). One more stays allowed here because a snapshot the loaded database does not give
    // within kck.sources.snapshot-wait makes the key start over, rightly; never a wrong value: the
    // totals and the one version per row above are the guarantee.
    computes.forEach((key, count) -> assertTrue(count.get() <= 2, key + " was computed " + count.get() + " times"));
    assertFalse(computes.isEmpty());
  }
}
