package io.kck.entity;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import io.kck.persistence.KckSerializable;
import java.util.Set;

/**
 * The protocol, events and state of the warm-key registry (its behavior:
 * {@code io.kck.entity.cluster.WarmKeyRegistry}). The events and the state are journaled under
 * these class names, so they stay here.
 */
public final class WarmKeys {
  private WarmKeys() {}

  public sealed interface Command {}

  /**
   * Keep {@code key} warm; {@code replyTo} (may be null) hears once it is recorded, or an error
   * when the set is full.
   */
  public record Add(String key, ActorRef<StatusReply<Done>> replyTo) implements Command, KckSerializable {}

  /** Stop waking {@code key}; it passivates when idle, and its timer with it. */
  public record Remove(String key, ActorRef<StatusReply<Done>> replyTo) implements Command, KckSerializable {}

  /** Answers the keys kept warm. */
  public record GetKeys(ActorRef<Listed> replyTo) implements Command, KckSerializable {}

  /**
   * The answer to {@link GetKeys}: the registry is a singleton, so this often travels to another
   * node and must be serializable (a bare {@code Set} is not).
   */
  public record Listed(Set<String> keys) implements KckSerializable {}

  /** The registry's own timer: wake every warm key. */
  public enum WakeAll implements Command {
    INSTANCE
  }

  /** This node's shard region of the keys runs: waking them through sharding can start. */
  public enum RegionStarted implements Command {
    INSTANCE
  }

  public sealed interface Event extends KckSerializable {}

  public record Added(String key) implements Event {}

  public record Removed(String key) implements Event {}

  /** Mutable on purpose: copying a set of many keys for every addition would cost O(n). */
  public record State(Set<String> keys) implements KckSerializable {}
}
