package io.kck.samples.cashregister;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Entry;
import io.kck.Kck;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/**
 * One node of the cluster demo ({@code samples/cluster-demo.sh}): the cash-register primers on a
 * node of a cluster of JVMs on loopback, sharing one PostgreSQL ({@code KCK_DB_URL}). Every two
 * seconds it prints the keys it owns. The driver node also reads the registers' sales every
 * three seconds and prints what it got.
 *
 * <p>Arguments: the node's port, then how it finds the cluster, then {@code driver} on one node.
 * Either a seed node's port, or {@code bootstrap <management port> <contact points>}: Akka
 * Management's Cluster Bootstrap, which asks the Akka Management endpoints listed (config
 * discovery, {@code host:port,host:port,...}) who is in the cluster, and forms it when nobody is
 * yet; no seed node is configured anywhere.
 */
public final class ClusterNode {
  static final int REGISTERS = 12;

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    boolean bootstrap = args[1].equals("bootstrap");
    String formation = bootstrap ? bootstrapConfig(Integer.parseInt(args[2]), args[3])
        : "kck.cluster.seed-nodes = \"akka://cash-register@127.0.0.1:" + Integer.parseInt(args[1]) + "\"";
    boolean driver = args[args.length - 1].equals("driver");
    Config config = ConfigFactory.parseString(
            """
            akka.remote.artery.canonical.port = %d
            %s
            akka.cluster.split-brain-resolver.stable-after = 5s
            akka.loglevel = WARNING
            # Four JVMs and PostgreSQL start at once: on a busy 2-core machine Akka's logger can
            # take longer than its default 5 s to start, and the node would fail to start.
            akka.logger-startup-timeout = 30s
            # Likewise a first connection to PostgreSQL (KCK's default wait is 2 s).
            kck.database.pool.connection-timeout = 10s
            # A demo wants to see a request to a dead node fail soon, not after 150 s.
            kck.request-timeout = 5s
            """.formatted(port, formation))
        .withFallback(ConfigFactory.parseFile(new File("conf/application.conf")));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "cash-register", ConfigFactory.load(config));
    SalesSource source = new SalesSource(Duration.ofMillis(100));
    RegisterSales sales = new RegisterSales(source);
    Kck kck = Kck.start(system, sales);
    String me = "[node " + port + "]";
    System.out.printf("%s KCK started; %s%n", me, bootstrap
        ? "Cluster Bootstrap asks " + args[3] + " who is in the cluster" : "joining the seed node");
    if (bootstrap) {
      akka.actor.typed.ActorRef<SelfUp> printer = system.systemActorOf(Behaviors.<SelfUp>receiveMessage(up -> {
        System.out.printf("%s Up through Cluster Bootstrap, with no seed node configured (akka.cluster.seed-nodes = %s,"
                + " kck.cluster.seed-nodes = \"%s\"); members: %s%n", me,
            system.settings().config().getList("akka.cluster.seed-nodes").unwrapped(),
            system.settings().config().getString("kck.cluster.seed-nodes"),
            StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
                .map(member -> member.address().port().get()).toList());
        return Behaviors.stopped();
      }), "print-self-up", akka.actor.typed.Props.empty());
      Cluster.get(system).subscriptions().tell(Subscribe.create(printer, SelfUp.class));
    }

    while (true) {
      Thread.sleep(driver ? 3000 : 2000);
      long up = StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
          .filter(member -> member.status() == MemberStatus.up()).count();
      List<String> owned = ownedKeys(kck);
      System.out.printf("%s %d node(s) up; owns %d key(s) %s; imports in this JVM: %d%n",
          me, up, owned.size(), owned.stream().map(k -> k.replaceAll("register-sales/(\\d+)/.*", "r$1")).toList(),
          source.imports());
      if (driver && up >= 3 || driver && source.imports() > 0) {
        List<String> read = new ArrayList<>();
        int failed = 0;
        for (int register = 1; register <= REGISTERS; register++) {
          try {
            Entry<RegisterDay> entry = kck.getEntry(sales.key(register, CashRegisterSample.DAY))
                .toCompletableFuture().get(60, TimeUnit.SECONDS);
            read.add("r" + register + "=v" + entry.version() + ":" + entry.value().totalCents());
          } catch (java.util.concurrent.ExecutionException e) {
            failed++;
            read.add("r" + register + "=" + e.getCause().getClass().getSimpleName());
          }
        }
        System.out.printf("%s %s: %s%n", me,
            failed == 0 ? "read " + REGISTERS + " registers" : failed + " of " + REGISTERS + " registers unavailable", read);
      }
    }
  }

  /**
   * The keys whose actors run on this node ({@code KckAdmin.liveKeys}): keys only, not the
   * internal entities Cluster Sharding also runs for KCK, such as the shards' sentinels
   * ({@code #shard-guard/N}).
   */
  static List<String> ownedKeys(Kck kck) throws Exception {
    return kck.admin().liveKeys().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * Cluster Bootstrap with config discovery: this node's Akka Management endpoint listens on
   * {@code managementPort}, and the service "cash-register" is the list of endpoints given. The
   * same configuration with {@code akka.discovery.method = kubernetes-api} finds the pods of a
   * Deployment instead (docs/cluster.md).
   */
  static String bootstrapConfig(int managementPort, String contactPoints) {
    String endpoints = java.util.Arrays.stream(contactPoints.split(","))
        .map(hostPort -> hostPort.trim().split(":"))
        .map(hostPort -> "{ host = \"" + hostPort[0] + "\", port = " + Integer.parseInt(hostPort[1]) + " }")
        .collect(java.util.stream.Collectors.joining(", "));
    return """
        kck.cluster.bootstrap = on
        kck.cluster.join-self = off
        akka.management.http.hostname = "127.0.0.1"
        akka.management.http.port = %d
        akka.discovery.method = config
        akka.discovery.config.services.cash-register.endpoints = [ %s ]
        akka.management.cluster.bootstrap.contact-point-discovery {
          service-name = cash-register
          # The three nodes of the demo: none forms a cluster before it has heard from all three.
          required-contact-point-nr = 3
        }
        # All endpoints are ports of one host: probe every one listed, not only those on this
        # node's own management port (Akka's default, made for one port number on every pod).
        akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port = off
        """.formatted(managementPort, endpoints);
  }

}
