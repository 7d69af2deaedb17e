package io.kck.entity;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import io.kck.persistence.KckSerializable;
import io.kck.persistence.StoredValue;

/**
 * What a key's actor understands. Applications normally go through {@link io.kck.Kck}; Akka users
 * may send the public commands to the key's {@code EntityRef} themselves. Every public command
 * is answered with exactly one {@link KeyReply}.
 */
public sealed interface KeyCommand {

  /**
   * Answers the current value, computing it first when the key has none. Concurrent gets of a
   * key without a value share one compute.
   */
  record Get(ActorRef<KeyReply> replyTo) implements KeyCommand, KckSerializable {}

  /** Recomputes now; answers with a value whose compute started after this request arrived. */
  record Refresh(ActorRef<KeyReply> replyTo) implements KeyCommand, KckSerializable {}

  /** Stores a value the caller supplies, as a new version. */
  record Put(StoredValue value, ActorRef<KeyReply> replyTo) implements KeyCommand, KckSerializable {}

  /** Drops the value; the next get computes. Answers with the entry after the drop. */
  record Invalidate(ActorRef<KeyReply> replyTo) implements KeyCommand, KckSerializable {}

  /** Answers what the key is doing now; changes nothing. */
  record Inspect(ActorRef<KeyStatus> replyTo) implements KeyCommand, KckSerializable {}

  /** A compute finished (with a value, or with {@code problem}). Sent by the actor to itself. */
  record ComputeDone(long attempt, StoredValue value, Problem problem)
      implements KeyCommand, NoSerializationVerificationNeeded {}

  /** A compute ran past its timeout. A timer message. */
  record ComputeTimedOut(long attempt) implements KeyCommand, NoSerializationVerificationNeeded {}

  /** The backoff after failed computes is over: gets may compute again. A timer message. */
  enum BackoffOver implements KeyCommand, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /**
   * Keeps the key warm: a key without a value computes one; a key of a periodic primer has
   * re-armed its refresh timer by the time it handles this. Sent by the warm-key registry, no reply.
   */
  enum Wake implements KeyCommand, KckSerializable {
    INSTANCE
  }

  /** A max-age policy's soft or hard age was reached by the value of {@code version}. A timer. */
  record AgeReached(boolean hard, long version) implements KeyCommand, NoSerializationVerificationNeeded {}

  /** The periodic refresh timer fired. */
  enum RefreshDue implements KeyCommand, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /**
   * Sharding's request to stop an idle key (passivation). The key stops at once when idle, or as
   * soon as its running compute has answered its waiters; sharding buffers what arrives meanwhile
   * and hands it to the key's next incarnation.
   */
  enum Passivate implements KeyCommand, KckSerializable {
    INSTANCE
  }
}
