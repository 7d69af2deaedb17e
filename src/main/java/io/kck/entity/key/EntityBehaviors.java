package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.kck.entity.KeyCommand;
import io.kck.entity.Problem;
import io.kck.entity.tier.ShardGuards;
import io.kck.entity.tier.ShardSentinel;
import io.kck.errors.KckException;
import io.kck.primer.Key;

/** What each entity id of the key entity type runs: a key, a shard's sentinel, or a refusal. */
public final class EntityBehaviors {
  private EntityBehaviors() {}

  /**
   * The behavior of the key {@code keyText}. A text that is not the canonical key of a registered
   * primer gives an actor that refuses every request with {@link KckException.Kind#INVALID_KEY}
   * and touches no journal (the facade validates keys before sending; this is for nodes that lack
   * a primer).
   */
  public static Behavior<KeyCommand> of(String keyText, ActorRef<ClusterSharding.ShardCommand> shard,
      KeyRuntime runtime) {
    if (ShardGuards.isSentinel(keyText)) {
      return ShardSentinel.create(runtime.guards().shardOf(keyText), runtime.guards());
    }
    Key<?> key;
    try {
      key = runtime.primers().parse(keyText);
    } catch (KckException e) {
      return RefusingKey.create(Problem.of(KckException.Kind.INVALID_KEY, e.getMessage(), e));
    }
    if (!key.text().equals(keyText)) {
      return RefusingKey.create(Problem.of(KckException.Kind.INVALID_KEY,
          "Key '" + keyText + "' is not in canonical form; its canonical form is '" + key.text() + "'", null));
    }
    return Behaviors.setup(context -> {
      // The actor's log is the key's: without this, Akka names it after the first class that asks
      // for it (Retention's constructor), and compute failures read as retention's.
      context.setLoggerName(KeyEntity.class);
      return Behaviors.withTimers(
          timers -> new KeyEntity(key, runtime, context, KeyTimers.of(timers), new Deltas(key, runtime), shard));
    });
  }
}
