package io.kck.testing;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion.ClusterShardingStats;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import io.kck.entity.KeyNames;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Where key entities live in a test cluster, asked of Cluster Sharding itself rather than hoped
 * for. A shard is allocated to a node only among the shard regions its coordinator knows, so a
 * test that needs keys on every node first waits until every node is {@code Up} and every node's
 * region is registered ({@link #awaitReady}); from then on the allocation strategy (fewest shards
 * first) spreads new shards over all nodes, and {@link #ownerOf} tells where each key landed.
 */
public final class Shards {
  private Shards() {}

  /**
   * Waits until every one of {@code nodes} sees all of them {@code Up}, and the sharding
   * coordinator has a registered key-entity region on each.
   */
  public static void awaitReady(List<ActorTestKit> nodes) {
    Set<Address> addresses = nodes.stream()
        .map(node -> Cluster.get(node.system()).selfMember().address())
        .collect(Collectors.toCollection(() -> new TreeSet<>(Address.addressOrdering())));
    for (ActorTestKit node : nodes) {
      Eventually.until(
          "every node Up, seen from " + Cluster.get(node.system()).selfMember().address(),
          Duration.ofSeconds(60),
          () -> membersUp(node),
          up -> up.equals(addresses));
    }
    Eventually.until(
        "a key-entity shard region registered on each of " + addresses,
        Duration.ofSeconds(60),
        () -> regions(nodes.get(0)),
        regions -> regions.equals(addresses));
  }

  /** The nodes whose key-entity region the coordinator knows, asked through {@code node}. */
  public static Set<Address> regions(ActorTestKit node) {
    TestProbe<ClusterShardingStats> probe = node.createTestProbe(ClusterShardingStats.class);
    ClusterSharding.get(node.system()).shardState()
        .tell(new GetClusterShardingStats(KeyNames.TYPE_KEY, Duration.ofSeconds(3), probe.getRef()));
    Set<Address> regions = new TreeSet<>(Address.addressOrdering());
    regions.addAll(probe.receiveMessage(Duration.ofSeconds(10)).getRegions().keySet());
    return regions;
  }

  /**
   * The index in {@code nodes} of the node where {@code key}'s entity is alive, or -1 when none
   * reports it (not started, passivated, or moving).
   */
  public static int ownerOf(List<ActorTestKit> nodes, String key) {
    for (int i = 0; i < nodes.size(); i++) {
      if (LiveKeys.of(nodes.get(i)).contains(key)) {
        return i;
      }
    }
    return -1;
  }

  private static Set<Address> membersUp(ActorTestKit node) {
    return StreamSupport.stream(Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up())
        .map(member -> member.address())
        .collect(Collectors.toCollection(() -> new TreeSet<>(Address.addressOrdering())));
  }

  /** The shards of KCK's keys that the node of {@code node} hosts now, the shards' sentinels included. */
  public static Set<String> hosted(ActorTestKit node) {
    akka.actor.testkit.typed.javadsl.TestProbe<akka.cluster.sharding.ShardRegion.CurrentShardRegionState> probe =
        node.createTestProbe(akka.cluster.sharding.ShardRegion.CurrentShardRegionState.class);
    akka.cluster.sharding.typed.javadsl.ClusterSharding.get(node.system()).shardState()
        .tell(new akka.cluster.sharding.typed.GetShardRegionState(io.kck.entity.KeyNames.TYPE_KEY, probe.getRef()));
    Set<String> shards = new java.util.TreeSet<>();
    probe.receiveMessage().getShards().forEach(shard -> shards.add(shard.shardId()));
    return shards;
  }

  /** The shard sharding puts {@code key} in, on a node configured like {@code node}. */
  public static String shardOf(ActorTestKit node, String key) {
    int shards = node.system().settings().config().getInt("kck.sharding.number-of-shards");
    return new akka.cluster.sharding.typed.HashCodeMessageExtractor<Object>(shards).shardId(key);
  }
}
