package io.kck.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Shards;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes that form their cluster through Akka Management's Cluster Bootstrap, with no seed
 * node configured: each knows only the Akka Management endpoints of the three (config discovery,
 * loopback ports), as a Kubernetes deployment knows only its pods. Three ActorSystems in one JVM
 * (samples/cluster-demo.sh does the same with three JVMs).
 */
class BootstrapTest {
  static final String SERVICE = "kck-bootstrap-test";

  final List<ActorTestKit> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).shutdownTestKit();
    }
  }

  /** The configuration a node gets: where its own endpoint listens, and the whole list. */
  static Config bootstrapConfig(int managementPort, List<Integer> allPorts) {
    String endpoints = allPorts.stream().map(port -> "{ host = \"127.0.0.1\", port = " + port + " }")
        .collect(Collectors.joining(", "));
    return ConfigFactory.parseString(
        """
        kck.cluster.bootstrap = on
        kck.cluster.join-self = off
        akka.management.http.hostname = "127.0.0.1"
        akka.management.http.port = %d
        akka.discovery.method = config
        akka.discovery.config.services.%s.endpoints = [ %s ]
        akka.management.cluster.bootstrap {
          contact-point-discovery {
            service-name = %s
            # Wait for all three: none forms a cluster of its own while the others start.
            required-contact-point-nr = 3
            # Akka's default is 5 s, for discovery that changes while pods come up; this list is fixed.
            stable-margin = 1s
            interval = 500ms
          }
          contact-point {
            # Every endpoint here is on another port of one host: probe them all, not only the
            # ones on this node's own port (Akka's default, for one port per pod).
            filter-on-fallback-port = off
            probe-interval = 500ms
          }
        }
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms
        akka.cluster.sharding.retry-interval = 200ms
        akka.cluster.min-nr-of-members = 1
        akka.actor.testkit.typed.system-shutdown-default = 60s
        """.formatted(managementPort, SERVICE, endpoints, SERVICE));
  }

  static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  static int status(HttpClient http, String url) throws Exception {
    return get(http, url).statusCode();
  }

  static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void threeNodesFormAClusterThroughDiscoveryAndShareTheirKeys() throws Exception {
    String database = TestNodes.ownDatabase("cluster_bootstrap");
    List<Integer> ports = freePorts(3);
    List<CountingPrimer> primers = new ArrayList<>();
    List<Kck> kcks = new ArrayList<>();
    for (int port : ports) {
      ActorTestKit node = TestNodes.start("BootstrapTest",
          TestNodes.config("").withFallback(bootstrapConfig(port, ports))
              .withFallback(ConfigFactory.parseString(database)));
      nodes.add(node);
      CountingPrimer primer = new CountingPrimer("bootstrap-sales");
      primers.add(primer);
      kcks.add(Kck.start(node.system(), primer));
    }

    // No seed nodes anywhere: every member came through Cluster Bootstrap, and all in one cluster.
    Shards.awaitReady(nodes);
    for (ActorTestKit node : nodes) {
      assertEquals(3, Cluster.get(node.system()).state().members().size(),
          "members seen from " + Cluster.get(node.system()).selfMember().address());
    }

    // Keys spread over the three; each is computed once and read the same from every node.
    Set<Integer> owners = new HashSet<>();
    for (int id = 1; id <= 12; id++) {
      String key = "bootstrap-sales/r" + id;
      Entry<Object> first = Stages.await(kcks.get(id % 3).getEntry(key));
      for (Kck kck : kcks) {
        Entry<Object> read = Stages.await(kck.getEntry(key));
        assertEquals("value of r" + id, read.value(), key + " read elsewhere");
        assertEquals(first.version(), read.version(), key + "'s version read elsewhere");
      }
      owners.add(Shards.ownerOf(nodes, key));
    }
    assertEquals(12, primers.stream().mapToInt(CountingPrimer::computes).sum(), "computes of 12 keys on 3 nodes");
    assertTrue(owners.size() > 1, "12 keys all on one node: " + owners);

    // One set of probes: Akka Management's /ready includes KCK's checks, /alive answers.
    HttpClient http = HttpClient.newHttpClient();
    for (int port : ports) {
      Eventually.until("/ready of node " + port, () -> status(http, "http://127.0.0.1:" + port + "/ready"),
          status -> status == 200);
      assertEquals(200, status(http, "http://127.0.0.1:" + port + "/alive"));
    }
  }

  @Test
  void aNodeThatIsNotUpIsNotReady() throws Exception {
    // One node alone, waiting for three contact points that never answer: it stays out of any
    // cluster, and Akka Management's /ready says so through KCK's check.
    List<Integer> ports = freePorts(3);
    ActorTestKit node = TestNodes.start("BootstrapTest", TestNodes.config("").withFallback(bootstrapConfig(ports.get(0), ports)));
    nodes.add(node);
    Kck.start(node.system(), new CountingPrimer("bootstrap-alone"));
    HttpClient http = HttpClient.newHttpClient();
    // Akka Management answers a failed check with 500 (not 503): a probe counts any status >= 400.
    HttpResponse<String> ready = get(http, "http://127.0.0.1:" + ports.get(0) + "/ready");
    assertEquals(500, ready.statusCode(), ready.body());
    assertTrue(ready.body().startsWith("Not Healthy"), ready.body()); // KCK's check said no; it did not fail
    assertEquals(200, status(http, "http://127.0.0.1:" + ports.get(0) + "/alive"));
  }

  @Test
  void bootstrapWithoutAkkaManagementOnTheClassPathNamesTheArtifactsToAdd() {
    Config kubernetes = ConfigFactory.parseString("akka.discovery.method = kubernetes-api")
        .withFallback(ConfigFactory.load());
    IllegalStateException absent = assertThrows(IllegalStateException.class,
        () -> ClusterFormation.requireArtifacts(kubernetes, className -> false));
    assertTrue(absent.getMessage().contains("com.lightbend.akka.management:akka-management_2.13:1.4.0"), absent.getMessage());
    assertTrue(absent.getMessage().contains("akka-management-cluster-bootstrap_2.13:1.4.0"), absent.getMessage());
    assertTrue(absent.getMessage().contains("com.lightbend.akka.discovery:akka-discovery-kubernetes-api_2.13:1.4.0"),
        absent.getMessage());

    // Akka Management present, the Kubernetes discovery absent: only that one is named.
    IllegalStateException noKubernetes = assertThrows(IllegalStateException.class,
        () -> ClusterFormation.requireArtifacts(kubernetes, className -> !className.startsWith("akka.discovery.kubernetes")));
    assertEquals(List.of("com.lightbend.akka.discovery:akka-discovery-kubernetes-api_2.13:1.4.0"),
        ClusterFormation.missingArtifacts(kubernetes, className -> !className.startsWith("akka.discovery.kubernetes")),
        noKubernetes.getMessage());

    // Everything there (this test's class path): nothing to add.
    ClusterFormation.requireArtifacts(kubernetes, className -> true);
    assertEquals(List.of(), ClusterFormation.missingArtifacts(
        ConfigFactory.parseString("akka.discovery.method = config").withFallback(ConfigFactory.load()), className -> true));
  }

  @Test
  void settingsThatContradictBootstrapAreRefusedByName() {
    Config base = ConfigFactory.parseString("kck.cluster.bootstrap = on\nkck.cluster.join-self = off")
        .withFallback(ConfigFactory.load());
    ClusterFormation.checkSettings(base);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterFormation.checkSettings(
        ConfigFactory.parseString("kck.cluster.join-self = on").withFallback(base))).getMessage()
        .contains("kck.cluster.join-self = off"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterFormation.checkSettings(
        ConfigFactory.parseString("kck.cluster.seed-nodes = \"akka://x@127.0.0.1:2552\"").withFallback(base))).getMessage()
        .contains("seed nodes"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterFormation.checkSettings(
        ConfigFactory.parseString("akka.cluster.downing-provider-class = \"\"").withFallback(base))).getMessage()
        .contains("downing-provider-class"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ClusterFormation.discoveryMethod(base)).getMessage()
        .contains("akka.discovery.method"));
  }

  /**
   * The Kubernetes configuration in deploy/kubernetes (not run on a Kubernetes cluster here) is at
   * least one that Kck.start accepts, with every artifact it needs, and its manifests agree with
   * it: as many replicas as contact points required, the port and probes it names.
   */
  @Test
  void theKubernetesConfigurationIsOneKckAccepts() throws Exception {
    java.nio.file.Path folder = java.nio.file.Path.of("deploy/kubernetes");
    Config kubernetes = ConfigFactory.parseFile(folder.resolve("kubernetes.conf").toFile())
        .withFallback(ConfigFactory.load()).resolve();
    assertTrue(kubernetes.getBoolean("kck.cluster.bootstrap"));
    ClusterFormation.checkSettings(kubernetes);
    assertEquals("kubernetes-api", ClusterFormation.discoveryMethod(kubernetes));
    assertEquals(List.of(), ClusterFormation.missingArtifacts(kubernetes, className -> {
      try {
        Class.forName(className);
        return true;
      } catch (ClassNotFoundException e) {
        return false;
      }
    }));
    String bootstrap = "akka.management.cluster.bootstrap.contact-point-discovery.";
    String deployment = java.nio.file.Files.readString(folder.resolve("deployment.yaml"));
    assertTrue(deployment.contains("replicas: " + kubernetes.getInt(bootstrap + "required-contact-point-nr") + "\n"));
    assertTrue(deployment.contains("- name: " + kubernetes.getString(bootstrap + "port-name") + " "));
    assertTrue(deployment.contains("containerPort: " + kubernetes.getInt("akka.management.http.port") + "\n"));
    assertTrue(deployment.contains("path: /" + kubernetes.getString("akka.management.health-checks.readiness-path") + ","));
    assertTrue(deployment.contains("path: /" + kubernetes.getString("akka.management.health-checks.liveness-path") + ","));
    assertEquals("io.kck.cluster.KckReadinessCheck",
        kubernetes.getString("akka.management.health-checks.readiness-checks.kck"));
    java.util.regex.Matcher probeTimeout = java.util.regex.Pattern.compile("timeoutSeconds: (\\d+)").matcher(deployment);
    while (probeTimeout.find()) {
      assertTrue(kubernetes.getDuration("akka.management.health-checks.check-timeout").getSeconds()
          < Integer.parseInt(probeTimeout.group(1)), "a probe gives up before Akka Management's checks do");
    }
    String rbac = java.nio.file.Files.readString(folder.resolve("rbac.yaml"));
    assertTrue(rbac.contains("resources: [\"pods\"]") && rbac.contains("\"list\""), rbac);
  }
}
