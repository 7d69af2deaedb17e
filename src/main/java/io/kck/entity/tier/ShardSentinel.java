package io.kck.entity.tier;

import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.Behaviors;
import io.kck.entity.KeyCommand;

/**
 * The entity that stands for its shard on this node (see {@link ShardGuards}): it holds the shard's
 * {@link ShardGuard} from its start and revokes it when it stops, which only its shard's stop or
 * hand-off, or the node's, causes (it is woken well within the idle timeout). It answers nothing
 * and journals nothing.
 */
public final class ShardSentinel {
  private ShardSentinel() {}

  public static Behavior<KeyCommand> create(String shard, ShardGuards guards) {
    return Behaviors.setup(context -> {
      ShardGuard guard = guards.sentinelStarted(shard);
      return Behaviors.receive(KeyCommand.class)
          .onMessageEquals(KeyCommand.Passivate.INSTANCE, Behaviors::stopped)
          .onMessage(KeyCommand.class, ignored -> Behaviors.same())
          .onSignal(PostStop.class, stopped -> {
            guards.sentinelStopped(shard, guard);
            return Behaviors.same();
          })
          .build();
    });
  }
}
