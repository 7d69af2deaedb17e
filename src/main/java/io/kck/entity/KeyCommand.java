package io.kck.entity;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import io.kck.persistence.KckSerializable;
import io.kck.persistence.StoredValue;
import io.kck.primer.ValueFreshness;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What a key's actor understands. Every {@link Request} carries its {@code replyTo} and is answered
 * exactly once with a {@link KeyReply}: by the key, or, when the key cannot take it (its buffer is
 * full, it refuses its id, it stops), at once with a {@link KeyReply.Failed}. The other commands
 * are one-way: notifications between keys, and timers and results the key sends itself.
 */
public sealed interface KeyCommand {

  /** A command that expects an answer. */
  sealed interface Request extends KeyCommand {
    /** Where the one {@link KeyReply} goes. */
    ActorRef<KeyReply> replyTo();
  }

  /**
   * Answers the current value, computing it first when the key has none (unless {@code
   * computeOnMiss} is false, or the primer's miss policy says not to: then it fails with {@link
   * Problem.Kind#NOT_CACHED}). Concurrent gets of a key without a value share one compute.
   */
  record Get(ActorRef<KeyReply> replyTo, boolean computeOnMiss) implements Request, KckSerializable {
    /** A get that computes on a miss (as the primer's policy allows). */
    public Get(ActorRef<KeyReply> replyTo) {
      this(replyTo, true);
    }
  }

  /** Recomputes now; answers with a value whose compute started after this request arrived. */
  record Refresh(ActorRef<KeyReply> replyTo) implements Request, KckSerializable {}

  /**
   * Stores a value the caller supplies, as a new version; {@code expiry}: its own freshness (resolved
   * when the caller put it), or null when its primer's applies. With an {@code expectedVersion},
   * only if the key's value is still that version (checked by the key as it takes the put, so two
   * puts expecting one version never both win); otherwise answers a {@link Problem} and writes
   * nothing.
   */
  record Put(StoredValue value, ActorRef<KeyReply> replyTo, ValueExpiry expiry, OptionalLong expectedVersion,
      StreamedValue streamed)
      implements Request, KckSerializable {

    /** A put from a node that sends no expected version is unconditional. */
    public Put {
      expectedVersion = expectedVersion == null ? OptionalLong.empty() : expectedVersion;
    }

    /**
     * A put whose value travels in it ({@code streamed}: only a put on its way to another node whose
     * value does not fit in one message carries its value as a stream instead, see {@link
     * FrameSizedSerializer}; the key's node pulls it before the key sees the put).
     */
    public Put(StoredValue value, ActorRef<KeyReply> replyTo, ValueExpiry expiry, OptionalLong expectedVersion) {
      this(value, replyTo, expiry, expectedVersion, null);
    }

    /** The same put with its value pulled, or about to travel as a stream ({@code value} null). */
    public Put withValue(StoredValue value, StreamedValue streamed) {
      return new Put(value, replyTo, expiry, expectedVersion, streamed);
    }

    /** An unconditional put. */
    public Put(StoredValue value, ActorRef<KeyReply> replyTo, ValueExpiry expiry) {
      this(value, replyTo, expiry, OptionalLong.empty());
    }

    /** An unconditional put without freshness of its own. */
    public Put(StoredValue value, ActorRef<KeyReply> replyTo) {
      this(value, replyTo, null);
    }
  }

  /**
   * Applies {@code delta} (JSON of the primer's delta type) to the value in place, as a new version.
   * With an {@code expectedVersion}, only if the value is still that version. Answers with the
   * entry after the delta, or a {@link Problem} (nothing applied).
   */
  record Augment(StoredValue delta, OptionalLong expectedVersion, ActorRef<KeyReply> replyTo, StreamedValue streamed)
      implements Request, KckSerializable {

    /** An augment whose delta travels in it ({@code streamed}: as for a {@link Put}'s value). */
    public Augment(StoredValue delta, OptionalLong expectedVersion, ActorRef<KeyReply> replyTo) {
      this(delta, expectedVersion, replyTo, null);
    }

    /** The same augment with its delta pulled, or about to travel as a stream ({@code delta} null). */
    public Augment withDelta(StoredValue delta, StreamedValue streamed) {
      return new Augment(delta, expectedVersion, replyTo, streamed);
    }
  }

  /**
   * A committed change of a row of a source table affects this key ({@code io.kck.primer.TableSource}):
   * with a {@code delta} (JSON of the primer's delta type), apply it in place; without one, or when
   * the key cannot apply it, drop the value (the next get computes) and, with {@code refresh},
   * recompute now. Answered (with the entry after it) only once the change is journaled, with its
   * {@code position}; a change at or before the position the key last recorded is answered at once
   * and applied nothing. A key without a value records nothing: its next compute reads the row.
   * {@code xid}: the 32-bit id of the change's transaction (0 when unknown, or when the request
   * stands for several), what the key compares with its value's {@link ComputeWindow}: a change the
   * value already holds is recorded and not applied, and one it may hold drops the value.
   */
  record SourceChange(SourcePosition position, boolean refresh, StoredValue delta, long xid, ActorRef<KeyReply> replyTo)
      implements Request, KckSerializable {

    /** A change of no known transaction. */
    public SourceChange(SourcePosition position, boolean refresh, StoredValue delta, ActorRef<KeyReply> replyTo) {
      this(position, refresh, delta, 0, replyTo);
    }
  }

  /** Drops the value; the next get computes. Answers with the entry after the drop. */
  record Invalidate(ActorRef<KeyReply> replyTo) implements Request, KckSerializable {}

  /**
   * A tracked read from the compute of {@code reader}: answered like a {@link Get}, after this key
   * has recorded {@code reader} as a dependent, and after it is brought up to date with {@code
   * required} (upstream versions the reader knows of). {@code path}: the keys whose computes wait on
   * this read, to detect cycles.
   */
  record Read(String reader, List<String> path, Map<String, Long> required, ActorRef<KeyReply> replyTo)
      implements Request, KckSerializable {}

  /**
   * {@code input}, which this key read, has a new {@code version} ({@code outdated}: a lazy input
   * was marked outdated, its version unchanged). {@code cause}: the upstream versions behind the
   * change, which the dependent's next compute must see. {@code carried}: the input's new entry as
   * a read would be answered with it, when it is small and fresh (else null), so that an eager
   * dependent's recompute need not ask for it ({@link TrackedReads}). {@code wave}: the change it
   * is part of (null for the answers to a dependent's check as it starts).
   */
  record InputChanged(String input, long version, Map<String, Long> cause, boolean outdated, InputDelta delta,
      EntryData carried, Wave wave)
      implements KeyCommand, KckSerializable {}

  /**
   * The delta that made an input's new version from its version {@code base}: a dependent that has
   * seen exactly {@code base} may follow it with a delta of its own instead of recomputing.
   */
  record InputDelta(long base, StoredValue delta) implements KckSerializable {}

  /**
   * {@code dependent} started and last read this key at {@code seenVersion}: tell it (with an
   * {@link InputChanged}) if this key has moved on since, or that it has not ({@link
   * InputChecked}), and record it as a dependent if the edge was lost. Closes the gap of a change
   * notification lost with a crashed node.
   */
  record CheckInput(String dependent, long seenVersion) implements KeyCommand, KckSerializable {}

  /** The answer to {@link CheckInput} from an input that has no news: the dependent is up to date with it. */
  record InputChecked(String input) implements KeyCommand, KckSerializable {}

  /** The wait for the inputs' answers to {@link CheckInput} is over. A timer message. */
  enum InputCheckOver implements KeyCommand, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /** {@code dependent} no longer reads this key: stop telling it of changes. */
  record DependentGone(String dependent) implements KeyCommand, KckSerializable {}

  /**
   * Cycle detection between running computes: the computes of {@code path} wait, each on the next,
   * for this key's compute. A key that finds itself on the path fails the read its compute is
   * blocked on; otherwise it passes the probe on to the key its compute is reading.
   */
  record CycleProbe(List<String> path) implements KeyCommand, KckSerializable {}

  /**
   * Registers {@code listener} for this key's new versions: it receives the current value at once
   * (when there is one), then every new version in order, and {@link KeyUpdate.Detached} when the
   * key stops (so that it can watch again). Watching twice is harmless.
   */
  record Watch(ActorRef<KeyUpdate> listener) implements KeyCommand, KckSerializable {}

  /** Removes a listener registered with {@link Watch}. */
  record Unwatch(ActorRef<KeyUpdate> listener) implements KeyCommand, KckSerializable {}

  /** A change arrived while a compute ran, and its result had not seen it. Sent to itself. */
  record Outdate(Map<String, Long> cause) implements KeyCommand, NoSerializationVerificationNeeded {}

  /**
   * The stored value of {@code version} no longer reads as the primer's value type (the type
   * changed in a release): the key drops it and computes anew. Sent to itself when it loads.
   */
  record DropUnreadable(long version, String reason) implements KeyCommand, NoSerializationVerificationNeeded {}

  /** The primer's version floor, read for a key without a version ({@link VersionFloor}), or why the read failed. */
  record FloorRead(long floor, String failure) implements KeyCommand, NoSerializationVerificationNeeded {}

  /** Time to read the version floor again after a failed read. Sent to itself. */
  enum FloorRetry implements KeyCommand, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /** The coalescing window after an eager recompute's start is over. A timer message. */
  enum CoalesceOver implements KeyCommand, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /**
   * The retention sweep found no row of this key written within its primer's retention: the key
   * forgets itself (deletes its rows, leaves its inputs) unless it is still wanted, and answers
   * {@link KeyReply.Retention}. Only a key that was not running when this arrived (it is the first
   * command of this incarnation) can be forgotten: a running key is in use.
   */
  record Forget(ActorRef<KeyReply> replyTo) implements Request, KckSerializable {}

  /** A get found the key's last recorded use older than the touch interval: journal a use. Sent to itself. */
  enum RecordUse implements KeyCommand, NoSerializationVerificationNeeded {
    INSTANCE
  }

  /** Answers what the key is doing now ({@link KeyReply.Status}); changes nothing. */
  record Inspect(ActorRef<KeyReply> replyTo) implements Request, KckSerializable {}

  /**
   * A compute finished (with a value, or with {@code problem}). Sent by the actor to itself, with
   * what the compute read ({@code reads}, null when it failed) and the freshness it gave its value
   * ({@code freshness}, null when its primer's applies), and, for a primer with source tables, when
   * it ran in the source database's terms ({@code window}, null otherwise).
   */
  record ComputeDone(long attempt, StoredValue value, Problem problem, ComputeReads reads, ValueFreshness freshness,
      ComputeWindow window)
      implements KeyCommand, NoSerializationVerificationNeeded {

    /** A compute that gave its value no freshness of its own. */
    public ComputeDone(long attempt, StoredValue value, Problem problem, ComputeReads reads) {
      this(attempt, value, problem, reads, null, null);
    }

    /** A compute of a primer without source tables. */
    public ComputeDone(long attempt, StoredValue value, Problem problem, ComputeReads reads, ValueFreshness freshness) {
      this(attempt, value, problem, reads, freshness, null);
    }

    /** The same answer, of a compute that ran within {@code ran}. */
    public ComputeDone within(ComputeWindow ran) {
      return new ComputeDone(attempt, value, problem, reads, freshness, ran);
    }
  }

  /**
   * The compute of {@code attempt} (of a primer with source tables) took its snapshot of the source
   * database before its first read ({@code before}): a source change whose transaction had committed
   * by then is in what it reads, and need not run it again. Sent by the compute to the key's actor
   * (by a batch to each of its keys), before its {@link ComputeDone}; one for an attempt that is over
   * or was superseded is ignored.
   */
  record ComputeBegan(long attempt, TxnSnapshot before) implements KeyCommand, NoSerializationVerificationNeeded {}

  /**
   * A put or an augment whose value, streamed from another node, has arrived: {@code whole} carries
   * it. Sent by the key's actor to itself (what stands before the key hands {@code whole} on), never
   * across nodes, so that it is not serialized again.
   */
  record Arrived(Request whole) implements KeyCommand, NoSerializationVerificationNeeded {}

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
