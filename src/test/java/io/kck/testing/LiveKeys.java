package io.kck.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.ShardRegion.CurrentShardRegionState;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.kck.entity.KeyNames;
import java.util.Set;
import java.util.TreeSet;

/** Which key entities are alive on a node, as Cluster Sharding reports them. */
public final class LiveKeys {
  private LiveKeys() {}

  /** The keys whose actors run on the node of {@code testKit}. */
  public static Set<String> of(ActorTestKit testKit) {
    // Not the shards' sentinels (see the read tier in docs/semantics.md): they are no keys.
    Set<String> ids = entities(testKit);
    ids.removeIf(id -> id.startsWith("#shard-guard/"));
    return ids;
  }

  /** Every entity of KCK's shard region on the node of {@code testKit}, the shards' sentinels too. */
  public static Set<String> entities(ActorTestKit testKit) {
    TestProbe<CurrentShardRegionState> probe = testKit.createTestProbe(CurrentShardRegionState.class);
    ClusterSharding.get(testKit.system())
        .shardState()
        .tell(new GetShardRegionState(KeyNames.TYPE_KEY, probe.getRef()));
    Set<String> ids = new TreeSet<>();
    probe.receiveMessage().getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }
}
