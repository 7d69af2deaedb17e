package io.kck.samples.cashregister;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
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
 * three seconds and prints what it got. Arguments: port, seed port, and {@code driver} on one node.
 */
public final class ClusterNode {
  static final int REGISTERS = 12;

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int seedPort = Integer.parseInt(args[1]);
    boolean driver = args.length > 2 && args[2].equals("driver");
    Config config = ConfigFactory.parseString(
            """
            akka.remote.artery.canonical.port = %d
            kck.cluster.seed-nodes = "akka://cash-register@127.0.0.1:%d"
            akka.cluster.split-brain-resolver.stable-after = 5s
            akka.loglevel = WARNING
            # A demo wants to see a request to a dead node fail soon, not after 150 s.
            kck.request-timeout = 5s
            """.formatted(port, seedPort))
        .withFallback(ConfigFactory.parseFile(new File("conf/application.conf")));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "cash-register", ConfigFactory.load(config));
    SalesSource source = new SalesSource(Duration.ofMillis(100));
    RegisterSales sales = new RegisterSales(source);
    Kck kck = Kck.start(system, sales);
    String me = "[node " + port + "]";

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
}
