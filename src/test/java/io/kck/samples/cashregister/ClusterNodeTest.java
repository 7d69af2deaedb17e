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

  @Test
  void aNodeOwnsItsKeysAndNoSentinel() throws Exception {
    // A database of its own: keys of the same names journaled by another test (the sample's) would
    // wake their dependents here when they load (reannounce-window), and those are live keys too.
    ActorTestKit testKit = TestNodes.start("ClusterNodeTest", TestNodes.config(TestNodes.ownDatabase("cluster_node_test")));
    try {
      RegisterSales sales = new RegisterSales(new SalesSource(Duration.ZERO));
      Kck kck = Kck.start(testKit.system(), sales);
      for (int register = 1; register <= 3; register++) {
        Stages.await(kck.get(sales.key(register, CashRegisterSample.DAY)));
      }
      assertTrue(LiveKeys.entities(testKit).stream().anyMatch(id -> id.startsWith("#shard-guard/")),
          "the shards' sentinels run on the node: " + LiveKeys.entities(testKit));
      List<String> owned = ClusterNode.ownedKeys(kck);
      assertEquals(List.of("register-sales/1/" + CashRegisterSample.DAY, "register-sales/2/" + CashRegisterSample.DAY,
          "register-sales/3/" + CashRegisterSample.DAY), owned);
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
