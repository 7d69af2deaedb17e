package io.kck.samples.cashregister;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.Kck;
import io.kck.testing.LiveKeys;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the cluster demo ({@code samples/cluster-demo.sh}) prints as a node's keys: its keys, not
 * the shards' sentinels ({@code #shard-guard/N}) that run beside them.
 */
class ClusterNodeTest {
  /**
   * A day of its own (tests keep apart by keys in the one database of the test JVM): the sample's
   * day has rows from CashRegisterSampleTest, whose register keys have store-totals dependents; a
   * key that starts within kck.dependencies.reannounce-window of its last write tells them again,
   * which starts a store-totals entity on this node too.
   */
  private static final java.time.LocalDate DAY = CashRegisterSample.DAY.minusDays(30);

  @Test
  void aNodeOwnsItsKeysAndNoSentinel() throws Exception {
    // A database of its own: in the shared one, the sample's test left store totals that read these
    // registers, and a register that starts tells its dependents (which then run here too).
    ActorTestKit testKit = TestNodes.start("ClusterNodeTest", TestNodes.config(TestNodes.ownDatabase("cluster_node")));
    try {
      RegisterSales sales = new RegisterSales(new SalesSource(Duration.ZERO));
      Kck kck = Kck.start(testKit.system(), sales);
      for (int register = 1; register <= 3; register++) {
        Stages.await(kck.get(sales.key(register, DAY)));
      }
      assertTrue(LiveKeys.entities(testKit).stream().anyMatch(id -> id.startsWith("#shard-guard/")),
          "the shards' sentinels run on the node: " + LiveKeys.entities(testKit));
      List<String> owned = ClusterNode.ownedKeys(kck);
      assertEquals(List.of("register-sales/1/" + DAY, "register-sales/2/" + DAY, "register-sales/3/" + DAY), owned);
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
