package io.kck.testing;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import io.kck.Kck;
import io.kck.KeyInfo;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyNames;

/** What a key's actor is doing now, for tests that wait on its transient state. */
public final class KeyStatuses {
  private KeyStatuses() {}

  public static KeyInfo of(Kck kck, String key) {
    return Stages.await(kck.admin().inspect(kck.key(key)));
  }

  /**
   * Starts the key's actor wherever sharding puts it, and waits until it runs: a message through
   * sharding, since {@code kck.admin().inspect} starts no actor of a key nobody wrote.
   */
  public static void start(ActorSystem<?> system, String key) {
    Stages.await(entity(system, key).ask(KeyCommand.Inspect::new, Stages.PATIENCE));
  }

  /** The key's entity, as an Akka user reaches it through Cluster Sharding. */
  public static EntityRef<KeyCommand> entity(ActorSystem<?> system, String key) {
    return ClusterSharding.get(system).entityRefFor(KeyNames.TYPE_KEY, key);
  }
}
