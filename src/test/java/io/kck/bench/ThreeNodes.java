package io.kck.bench;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Kck;
import io.kck.primer.Primer;
import io.kck.testing.Shards;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A cluster of three nodes in this JVM for the harness's cluster rows: one ActorSystem each on the
 * harness's production configuration (Artery on loopback), the second and third joining the first
 * through {@code kck.cluster.seed-nodes}, as a deployment would. Ready once every node is Up and has
 * its shard region registered, so that new keys spread over all three.
 */
final class ThreeNodes implements AutoCloseable {
  private final List<ActorSystem<Void>> systems = new ArrayList<>();
  private final List<Kck> kcks = new ArrayList<>();

  private ThreeNodes() {}

  /** {@code primers}: a fresh instance per node, as separate JVMs would have. */
  static ThreeNodes start(String name, Config config, Supplier<List<Primer<?>>> primers) {
    ThreeNodes nodes = new ThreeNodes();
    try {
      String seed = null;
      for (int i = 0; i < 3; i++) {
        Config node = seed == null ? config
            : ConfigFactory.parseString("kck.cluster.seed-nodes = \"" + seed + "\"").withFallback(config);
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, node);
        nodes.systems.add(system);
        nodes.kcks.add(Kck.start(system, primers.get()));
        if (seed == null) {
          seed = Cluster.get(system).selfMember().address().toString();
        }
      }
      Shards.awaitReady(nodes.systems.stream().map(ActorTestKit::create).toList());
      return nodes;
    } catch (RuntimeException e) {
      nodes.close();
      throw e;
    }
  }

  List<Kck> kcks() {
    return kcks;
  }

  @Override
  public void close() {
    for (int i = systems.size() - 1; i >= 0; i--) {
      systems.get(i).terminate();
    }
    for (ActorSystem<Void> system : systems) {
      try {
        system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
      } catch (Exception e) {
        throw new IllegalStateException("A bench node did not stop: " + e, e);
      }
    }
  }
}
