package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.kck.entity.KeyCommand;

/**
 * Bounds how many key actors live on this node ({@code kck.entity.max-live}): each live key is an
 * entry of a Caffeine cache of that size, touched by every command the key handles; the key the
 * cache evicts (by frequency and recency) is asked to passivate through its shard, which buffers
 * what is sent to it meanwhile. Its fresh entry stays in the read tier, so a bounded node still
 * answers its ready keys without their actors.
 *
 * <p>Why not Akka's passivation strategy with an active-entity limit: it counts every entity of the
 * region, the shards' sentinels too, and a sentinel it stopped would revoke the entries of its
 * whole shard. Thread-safe.
 */
final class LiveLimit {
  private record Live(ActorRef<KeyCommand> self, ActorRef<ClusterSharding.ShardCommand> shard) {}

  private final Cache<String, Live> live; // null: no limit

  LiveLimit(int maxLive) {
    this.live = maxLive <= 0 ? null : Caffeine.newBuilder()
        .maximumSize(maxLive)
        .executor(Runnable::run) // evicts as it admits: the bound holds without a background task
        .evictionListener((String key, Live entity, RemovalCause cause) -> {
          if (entity != null && cause.wasEvicted()) {
            entity.shard().tell(new ClusterSharding.Passivate<>(entity.self()));
          }
        })
        .build();
  }

  /** The key handles a command; {@code first}: its first since it started. */
  void used(String key, boolean first, ActorRef<KeyCommand> self, ActorRef<ClusterSharding.ShardCommand> shard) {
    if (live == null) {
      return;
    }
    if (first) {
      live.put(key, new Live(self, shard));
    } else {
      live.getIfPresent(key);
    }
  }

  /** The key stops (or restarts): it no longer counts. */
  void stopped(String key, ActorRef<KeyCommand> self) {
    if (live != null) {
      live.asMap().computeIfPresent(key, (same, entity) -> entity.self().equals(self) ? null : entity);
    }
  }
}
