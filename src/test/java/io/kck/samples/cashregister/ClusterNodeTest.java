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
    // A database of its own: in the shared one, the sample's run leaves store-totals/1 a dependent
    // of register-sales/1, and the register's compute here would wake it on this node.
    ActorTestKit testKit = TestNodes.start("ClusterNodeTest", TestNodes.config(TestNodes.ownDatabase("cluster_node")));
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
