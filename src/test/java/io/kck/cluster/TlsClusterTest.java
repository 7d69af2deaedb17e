package io.kck.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Kck;
import io.kck.samples.cashregister.NodeCertificates;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Shards;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster over Akka's tls-tcp transport with mutual authentication, as conf/application.conf
 * configures it: three nodes with the certificate made by keytool form a cluster and serve each
 * other's keys; a node with a certificate of its own cannot connect, so it never joins (and could
 * send no Put or Invalidate).
 */
class TlsClusterTest {
  static final String TLS = """
      akka.remote.artery.transport = tls-tcp
      akka.cluster.min-nr-of-members = 1
      akka.actor.testkit.typed.system-shutdown-default = 60s
      """;

  final List<ActorTestKit> nodes = new ArrayList<>();

  /**
   * Every node is stopped, even when one hangs: in Akka 2.8, Artery's shutdown can wait without a
   * deadline for a TLS stream that failed (here: the outsider's refused handshakes), so now and
   * then, on a loaded machine, a node's ActorSystem never finishes terminating (akka/akka-core
   * issue 29162; Pekko bounded that wait in 2026). What this test checks is the cluster over TLS,
   * not Akka's teardown: a node that does not stop within 20 s is logged by the testkit and left.
   */
  @AfterEach
  void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      ActorTestKit.shutdown(nodes.get(i).system(), Duration.ofSeconds(20), false);
    }
  }

  /** A node: TestNodes' config, TLS as conf/application.conf sets it, these certificates. */
  private ActorTestKit node(Config certificates, String extra) throws Exception {
    Config tls = ConfigFactory.parseString(TLS + extra).withFallback(certificates)
        .withFallback(ConfigFactory.parseFile(new File("conf/application.conf")).getConfig("akka.remote.artery.ssl")
            .atPath("akka.remote.artery.ssl"));
    ActorTestKit testKit = TestNodes.start("TlsClusterTest", TestNodes.config("").withFallback(tls));
    nodes.add(testKit);
    return testKit;
  }

  @Test
  void threeNodesWithTheCertificateFormAClusterAndANodeWithoutItCannotJoin() throws Exception {
    Config cluster = NodeCertificates.ensure(Path.of("target/tls-test/cluster"));
    Config intruder = NodeCertificates.ensure(Path.of("target/tls-test/intruder"));
    String database = TestNodes.ownDatabase("tls_cluster");

    List<Kck> kcks = new ArrayList<>();
    ActorTestKit first = node(cluster, database);
    assertEquals("tls-tcp", first.system().settings().config().getString("akka.remote.artery.transport"));
    assertTrue(first.system().settings().config().getBoolean("akka.remote.artery.ssl.config-ssl-engine.require-mutual-authentication"));
    kcks.add(Kck.start(first.system(), new CountingPrimer("tls-keys")));
    String seed = "kck.cluster.seed-nodes = \"" + Cluster.get(first.system()).selfMember().address() + "\"\n";
    for (int i = 0; i < 2; i++) {
      ActorTestKit next = node(cluster, database + seed);
      kcks.add(Kck.start(next.system(), new CountingPrimer("tls-keys")));
    }
    Shards.awaitReady(nodes);

    // Keys spread over the three nodes, and every node reads every key: traffic over TLS.
    Set<Integer> owners = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      String key = "tls-keys/k" + i;
      assertEquals("value of k" + i, Stages.await(kcks.get(i % 3).get(key)));
      owners.add(Shards.ownerOf(nodes, key));
    }
    assertEquals(Set.of(0, 1, 2), owners, "keys live on all three nodes");

    TestProbe<ClusterEvent.MemberEvent> members = first.createTestProbe();
    Cluster.get(first.system()).subscriptions().tell(Subscribe.create(members.getRef(), ClusterEvent.MemberEvent.class));
    members.receiveSeveralMessages(3, Duration.ofSeconds(10)); // the current state: three members up

    ActorTestKit outsider = node(intruder, database + seed);
    // It tries to join the seed (every seed-node-timeout, 5 s); the TLS handshake fails each time.
    members.expectNoMessage(Duration.ofSeconds(6));
    assertEquals(3, Cluster.get(first.system()).state().getMembers().spliterator().estimateSize());
    assertTrue(Cluster.get(outsider.system()).selfMember().status() != akka.cluster.MemberStatus.up(),
        "the outsider is not a member");
  }
}
