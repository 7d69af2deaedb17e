package io.kck.entity.key;

import akka.actor.typed.javadsl.ActorContext;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyState;
import java.time.Duration;

/**
 * The version below which a key with no history may not number its next value.
 *
 * <p>Why: retention forgets a key by deleting its rows, and a key with no rows would count its
 * versions from 1 again, so that a version a client still holds (an {@code ETag}, an augment's
 * expected version) could name a different value. So forgetting a key raises its primer's floor
 * to the key's last version, durably and before the rows go ({@link JournalRows#delete}), and a
 * key that starts with version 0 reads its primer's floor before it writes a first value: it
 * holds puts and computed values ({@link #holds}) until the floor is known. Keys with a history
 * (the great majority of starts) read nothing and make no object of this class.
 *
 * <p>A failed read is tried again after the key's journal backoff; the held writes wait for it,
 * each bounded by its caller's timeout.
 */
final class VersionFloor {
  private final String key;
  private final String primer;
  private final KeyRuntime runtime;
  private final ActorContext<KeyCommand> context;
  private final Duration retryAfter;
  private long floor;
  private boolean pending;

  VersionFloor(String key, String primer, KeyRuntime runtime, ActorContext<KeyCommand> context) {
    this.key = key;
    this.primer = primer;
    this.runtime = runtime;
    this.context = context;
    this.retryAfter = runtime.settings().journalBackoffMin();
  }

  /** The key loaded without a version: it asks for its primer's floor (unless it asked already). */
  void loaded() {
    if (!pending) {
      pending = true;
      read();
    }
  }

  private void read() {
    context.pipeToSelf(runtime.keyRows().versionFloor(primer), (read, error) -> error == null
        ? new KeyCommand.FloorRead(read, null) : new KeyCommand.FloorRead(-1, error.toString()));
  }

  /** The floor's read is back. True when writes may go on. */
  boolean answered(KeyCommand.FloorRead read) {
    if (read.failure() != null) {
      context.getLog().warn("Key '{}' could not read its primer's version floor ({}); trying again in {}", key,
          read.failure(), retryAfter);
      context.scheduleOnce(retryAfter, context.getSelf(), KeyCommand.FloorRetry.INSTANCE);
      return false;
    }
    floor = Math.max(floor, read.floor());
    pending = false;
    return true;
  }

  /** Retries a failed read. */
  void retry() {
    if (pending) {
      read();
    }
  }

  /** Whether {@code command} must wait: it may write the key's first value, and the floor is unknown. */
  boolean holds(KeyCommand command) {
    return pending && (command instanceof KeyCommand.Put || command instanceof KeyCommand.ComputeDone);
  }

  /** The version of the value written after {@code state}'s. */
  long next(KeyState state) {
    return Math.max(state.version(), floor) + 1;
  }

  void reset() {
    pending = false;
  }
}
