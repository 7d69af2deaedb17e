package io.kck.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.typed.Cluster;
import io.kck.Kck;
import io.kck.KeyResult;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.testing.CountingBatchPrimer;
import io.kck.testing.Shards;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batch computes on two nodes: each node batches the keys it owns, so when both nodes ask for the
 * same keys at once, every key is computed once, in one batch, on its owner, and both callers get
 * that value.
 */
class BatchClusterTest {
  static final String CONFIG = """
      akka.cluster.min-nr-of-members = 1
      akka.actor.testkit.typed.system-shutdown-default = 60s
      kck.batch.linger = 2s
      kck.primers."batch-cluster".batch-size = 10
      """;
  /** One count of computes per key, shared by both nodes' primers: the cluster's. */
  static final Map<String, AtomicInteger> computes = new ConcurrentHashMap<>();
  static final List<CountingBatchPrimer> primers = new ArrayList<>();
  static final List<ActorTestKit> nodes = new ArrayList<>();
  static final List<Kck> kcks = new ArrayList<>();

  @BeforeAll
  static void start() {
    String database = TestNodes.ownDatabase("batch_cluster");
    Address first = null;
    for (int i = 0; i < 2; i++) {
      CountingBatchPrimer primer = new CountingBatchPrimer("batch-cluster", Freshness.neverExpires(), computes);
      String seeds = first == null ? "" : "kck.cluster.seed-nodes = \"" + first + "\"\n";
      ActorTestKit node = TestNodes.start("BatchClusterTest", TestNodes.config(CONFIG + database + seeds));
      kcks.add(Kck.start(node.system(), primer));
      primers.add(primer);
      nodes.add(node);
      first = first == null ? Cluster.get(node.system()).selfMember().address() : first;
    }
    Shards.awaitReady(nodes);
  }

  @AfterAll
  static void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).shutdownTestKit();
    }
  }

  @Test
  void keysAskedOnBothNodesAtOnceAreEachComputedOnceInABatchOfTheirOwner() throws Exception {
    CountDownLatch bothAsked = new CountDownLatch(1);
    for (CountingBatchPrimer primer : primers) {
      primer.body(batch -> {
        assertTrue(bothAsked.await(60, TimeUnit.SECONDS));
        for (Key<String> key : batch.keys()) {
          batch.complete(key, "value of " + key.get(CountingBatchPrimer.ID) + " from " + primer.hashCode());
        }
      });
    }
    List<Key<String>> keys = IntStream.range(0, 40).mapToObj(i -> primers.get(0).key("c" + i)).toList();
    List<CompletableFuture<List<KeyResult<String>>>> answers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      CountingBatchPrimer own = primers.get(i); // each node knows its own instance of the primer
      answers.add(kcks.get(i).getAll(keys.stream().map(key -> own.key(key.get(CountingBatchPrimer.ID))).toList())
          .toCompletableFuture());
    }
    assertFalse(answers.stream().anyMatch(CompletableFuture::isDone), () -> "the batches are held: "
        + answers.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList());
    bothAsked.countDown();

    List<KeyResult<String>> fromFirst = Stages.await(answers.get(0), Duration.ofSeconds(60));
    List<KeyResult<String>> fromSecond = Stages.await(answers.get(1), Duration.ofSeconds(60));
    for (int i = 0; i < 40; i++) {
      assertTrue(fromFirst.get(i).ok() && fromSecond.get(i).ok(), fromFirst.get(i) + " / " + fromSecond.get(i));
      assertEquals(fromFirst.get(i).entry().value(), fromSecond.get(i).entry().value(), "both nodes got one value");
    }
    assertEquals(Map.of(), primers.get(0).computedTwice(), "keys computed more than once in the cluster");
    assertEquals(40, computes.values().stream().mapToInt(AtomicInteger::get).sum());

    // Each node batched exactly the keys it owns, in batches of at most 10.
    int[] owned = new int[2];
    for (Key<String> key : keys) {
      int owner = Shards.ownerOf(nodes, key.text());
      assertTrue(owner >= 0, key + " lives on no node");
      owned[owner]++;
      String id = key.get(CountingBatchPrimer.ID);
      assertTrue(primers.get(owner).batches().stream().anyMatch(batch -> batch.contains(id)),
          key + " was computed by its owner, node " + owner);
    }
    assertTrue(owned[0] > 0 && owned[1] > 0, "the keys spread over both nodes: " + owned[0] + " and " + owned[1]);
    for (int i = 0; i < 2; i++) {
      CountingBatchPrimer primer = primers.get(i);
      assertTrue(primer.batches().stream().allMatch(batch -> batch.size() <= 10), "node " + i + ": " + primer.batches());
      assertEquals((owned[i] + 9) / 10, primer.calls(), "node " + i + " owns " + owned[i] + ": " + primer.batches());
    }
  }
}
