package io.kck.entity.tier;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.HashCodeMessageExtractor;
import io.kck.entity.KeyClient;
import io.kck.entity.KeyCommand;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's {@link ShardGuard}s, one per shard whose sentinel runs here, and the sentinels'
 * entity ids.
 *
 * <p>Why a sentinel: a stopped key leaves no actor behind, so when its shard is handed off (a
 * rebalance, a node leaving) nothing of it would hear of the move, and the entry it kept would go
 * on answering gets for a key now written on another node. One entity per shard, the sentinel,
 * never idles out (it is woken well within the idle timeout) and is stopped only with its shard;
 * it revokes the guard as it stops. Its id is the first of {@code "#shard-guard/0"}, {@code
 * "#shard-guard/1"}, ... that sharding's own hash puts in the shard, so routing stays sharding's,
 * and no key can have it ({@code #} is in no primer name). Thread-safe.
 */
public final class ShardGuards {
  static final String SENTINEL_PREFIX = "#shard-guard/";
  private static final long WAKE_AGAIN_NANOS = 5_000_000_000L;

  private final HashCodeMessageExtractor<KeyCommand> extractor;
  private final KeyClient keys;
  private final Map<String, ShardGuard> guards = new ConcurrentHashMap<>();
  private final Map<String, String> sentinelIds = new ConcurrentHashMap<>();
  private final Map<String, Long> wakesSent = new ConcurrentHashMap<>();

  public ShardGuards(int numberOfShards, KeyClient keys) {
    this.extractor = new HashCodeMessageExtractor<>(numberOfShards);
    this.keys = keys;
  }

  public static boolean isSentinel(String entityId) {
    return entityId.startsWith(SENTINEL_PREFIX);
  }

  /** The shard sharding puts {@code entityId} in. */
  public String shardOf(String entityId) {
    return extractor.shardId(entityId);
  }

  /** The guard of {@code shard} on this node, or null when its sentinel does not run here (yet). */
  public ShardGuard current(String shard) {
    ShardGuard guard = guards.get(shard);
    return guard != null && guard.holds() ? guard : null;
  }

  /**
   * Makes sure {@code shard}'s sentinel runs on this node, where a key of the shard just started:
   * wakes it through sharding unless its guard holds or a wake went out in the last seconds.
   */
  public void ensure(String shard) {
    if (current(shard) != null) {
      return;
    }
    long now = System.nanoTime();
    Long sent = wakesSent.get(shard);
    if (sent == null || now - sent > WAKE_AGAIN_NANOS) {
      wakesSent.put(shard, now);
      keys.tell(sentinelId(shard), KeyCommand.Wake.INSTANCE);
    }
  }

  /** Wakes every sentinel that runs here each {@code interval}, so that idle passivation never stops one. */
  public void keepAlive(ActorSystem<?> system, Duration interval) {
    system.scheduler().scheduleAtFixedRate(interval, interval, () -> guards.forEach((shard, guard) -> {
      if (guard.holds()) {
        keys.tell(sentinelId(shard), KeyCommand.Wake.INSTANCE);
      }
    }), system.executionContext());
  }

  /** {@code shard}'s sentinel started on this node: a new guard for the entries its keys keep. */
  ShardGuard sentinelStarted(String shard) {
    ShardGuard guard = new ShardGuard();
    guards.put(shard, guard);
    wakesSent.remove(shard);
    return guard;
  }

  /**
   * {@code shard}'s sentinel stops: its guard is revoked, and no entry kept under it is served from
   * here on. The entries leave the tier when a get finds them so, or by eviction: keeping a list
   * of them per shard would cost every kept key more than a revoked entry costs until then.
   */
  void sentinelStopped(String shard, ShardGuard guard) {
    guard.revoke();
    guards.remove(shard, guard);
  }

  /** The sentinel's entity id for {@code shard}: the first candidate sharding's hash puts there. */
  String sentinelId(String shard) {
    return sentinelIds.computeIfAbsent(shard, wanted -> {
      for (int candidate = 0; ; candidate++) {
        String id = SENTINEL_PREFIX + candidate;
        if (extractor.shardId(id).equals(wanted)) {
          return id;
        }
      }
    });
  }
}
