package io.kck.entity.node;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion.CurrentShardRegionState;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import io.kck.entity.KeyNames;
import io.kck.persistence.DatabaseHealth;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

/**
 * Whether this node can serve keys now, as a load balancer asks it: four checks, each named, with
 * a short fixed text (never an exception's: it may be shown to anyone who can reach the port).
 */
public final class Readiness {
  /** One check: its name, whether it passes, and a short text saying what it found. */
  public record Check(String name, boolean ok, String detail) {}

  private Readiness() {}

  static CompletionStage<List<Check>> check(ActorSystem<?> system, DatabaseHealth database, Duration within) {
    MemberStatus status = Cluster.get(system).selfMember().status();
    Check cluster = new Check("cluster", status == MemberStatus.up(),
        "this node is " + status.toString().toLowerCase(Locale.ROOT) + " in its cluster");
    Check reachable = new Check("database", database.available(), database.available()
        ? "KCK's database answers" : "KCK's database is unreachable since " + database.downSince());
    Check schema = new Check("schema", database.available() && database.schemaPresent(), !database.available()
        ? "unknown while the database is unreachable" : database.schemaPresent()
        ? "KCK's tables are present" : "KCK's tables are missing (kck.database.create-schema = off?)");
    CompletionStage<CurrentShardRegionState> region = AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
        ClusterSharding.get(system).shardState(), replyTo -> new GetShardRegionState(KeyNames.TYPE_KEY, replyTo),
        within, system.scheduler());
    return region.handle((state, error) -> List.of(cluster,
        new Check("sharding", error == null, error == null
            ? "the key entities' shard region answers" : "the key entities' shard region did not answer within " + within),
        reachable, schema));
  }
}
