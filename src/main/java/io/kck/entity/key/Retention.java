package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.settings.RetentionPolicy;
import io.kck.primer.Key;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One key's side of the retention ({@link RetentionPolicy}): it records that callers still read
 * it, decides whether a {@link KeyCommand.Forget} may forget it, and, once the key has journaled
 * {@link KeyEvent.Forgotten}, leaves its inputs and deletes its rows. Persists nothing itself.
 *
 * <p>Why the key decides, not the sweep: only the key's actor writes its rows, so only it can
 * delete them without racing a write; and only it knows whether it is in use. A key that handled
 * any command before the {@code Forget} was running, so somebody wants it.
 */
final class Retention {
  private final String key;
  private final String primer;
  private final RetentionPolicy policy;
  private final KeyRuntime runtime;
  private final ActorContext<KeyCommand> context;
  private final ActorRef<KeyCommand> self;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final KeyTimers timers;
  private final Logger log;
  private boolean running;
  private boolean recording;

  Retention(Key<?> key, RetentionPolicy policy, KeyRuntime runtime, ActorContext<KeyCommand> context,
      ActorRef<ClusterSharding.ShardCommand> shard, KeyTimers timers) {
    this.key = key.text();
    this.primer = key.primer().name();
    this.policy = policy;
    this.runtime = runtime;
    this.context = context;
    this.self = context.getSelf();
    this.shard = shard;
    this.timers = timers;
    this.log = LoggerFactory.getLogger(Retention.class); // its own lines, not the key's
  }

  ActorContext<KeyCommand> context() {
    return context;
  }

  KeyRuntime runtime() {
    return runtime;
  }

  Instant now() {
    return runtime.clock().instant();
  }

  /**
   * Called for every command before it is handled: a {@code Get} whose key's last recorded use is
   * older than the touch interval has a use recorded (by a {@link KeyCommand.RecordUse} to itself).
   * True while the command is the first of this incarnation.
   */
  boolean firstCommand(KeyState state, KeyCommand command) {
    boolean first = !running;
    running = true;
    runtime.liveLimit().used(key, first, self, shard);
    if (command instanceof KeyCommand.Get && policy.forgets() && !recording) {
      // A key never used has no value yet: the compute this get starts records the use.
      Instant used = state.lastUsed();
      if (used != null && used.plus(policy.touchInterval()).isBefore(runtime.clock().instant())) {
        recording = true;
        self.tell(KeyCommand.RecordUse.INSTANCE);
      }
    }
    return first;
  }

  /** Until when a stopped key's entry may answer gets without its actor: see {@link RetentionPolicy}. */
  long servedWithoutRecordingUntilMillis(KeyState state) {
    return policy.servedWithoutRecordingUntilMillis(state);
  }

  /** The use is journaled. */
  void recorded() {
    recording = false;
  }

  /** Why the key must be kept, or null when it may be forgotten now. */
  String keptBecause(KeyState state, boolean first) {
    if (!policy.forgets()) {
      return "its primer keeps its keys (retention forget-after = off)";
    }
    if (!first) {
      return "it is running: in use";
    }
    if (!state.dependents().isEmpty()) {
      return "other keys read it: " + state.dependents();
    }
    Instant used = state.lastUsed();
    Instant cutoff = runtime.clock().instant().minus(policy.forgetAfter());
    if (used != null && !used.isBefore(cutoff)) {
      return "it was used at " + used + ", within " + policy.forgetAfter();
    }
    if (state.supplied() && !policy.forgetSupplied()) {
      return "its value holds data the application gave (retention forget-supplied = off)";
    }
    return null;
  }

  /**
   * {@link KeyEvent.Forgotten} is journaled at {@code sequenceNr}, {@code before} the key's state
   * until then: leave its inputs, raise its primer's version floor to its version and delete its
   * rows (in one transaction: {@link VersionFloor}), answer, and ask sharding to stop the key. Akka
   * stores the snapshot it takes of an event (every snapshot-every events) before it runs the
   * event's side effects, so no row of it is written after this deletion.
   */
  void forgotten(KeyState before, long sequenceNr, ActorRef<KeyReply> replyTo) {
    timers.cancelAll(); // a refresh or an age planned for the old value would compute it again
    before.inputs().keySet().forEach(input -> runtime.client().tell(input, new KeyCommand.DependentGone(key)));
    runtime.keyRows().delete(key, sequenceNr, primer, before.version()).whenComplete((done, error) -> {
      if (error != null) {
        log.warn("Key '{}' was forgotten but its rows were not deleted ({}); the next sweep tries again", key, error.toString());
      } else {
        log.debug("Key '{}' forgotten: unused since {}", key, before.lastUsed());
      }
      replyTo.tell(new KeyReply.Retention(true, null));
      shard.tell(new ClusterSharding.Passivate<>(self));
    });
  }

  void reset() {
    running = false;
    recording = false;
    runtime.liveLimit().stopped(key, self);
  }
}
