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
import io.kck.entity.source.Sources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

/**
 * Whether this node can serve keys now, as a load balancer asks it: four checks, each named, with
 * a short fixed text (never an exception's: it may be shown to anyone who can reach the port); and,
 * when primers declare sources, a fifth that passes but may say the node is degraded.
 */
public final class Readiness {
  /**
   * One check: its name, whether it passes, whether it passes but degraded (serving, with a
   * problem to look at), and a short text saying what it found.
   */
  public record Check(String name, boolean ok, boolean degraded, String detail) {
    public Check(String name, boolean ok, String detail) {
      this(name, ok, false, detail);
    }
  }

  private Readiness() {}

  static CompletionStage<List<Check>> check(ActorSystem<?> system, DatabaseHealth database, Sources sources,
      Duration within) {
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
    return region.handle((state, error) -> {
      List<Check> checks = new ArrayList<>(List.of(cluster,
          new Check("sharding", error == null, error == null
              ? "the key entities' shard region answers" : "the key entities' shard region did not answer within " + within),
          reachable, schema));
      if (sources != null && sources.declared()) {
        // Serving is fine; a lagging slot keeps the server's WAL: degraded, not unready.
        checks.add(sources.lagProblem().map(problem -> new Check("sources", true, true, problem))
            .orElse(new Check("sources", true, "the source tables' changes are applied within the limits")));
      }
      return List.copyOf(checks);
    });
  }
}
