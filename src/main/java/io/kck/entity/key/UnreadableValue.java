package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyState;
import io.kck.persistence.ValueCodec;
import org.slf4j.Logger;

/**
 * A stored value that no longer reads as the primer's value type (the type changed in a release),
 * or is of a value format no migration read ({@link ValueMigrations}): found when the key loads, handled as missing from then on (the next get computes anew instead of
 * failing on every get), and dropped from the journal by the key. It also remembers the key's last
 * incident for its status. Used by the key's actor only.
 */
final class UnreadableValue {
  private final String key;
  private final ValueCodec codec;
  private final ValueMigrations migrations;
  private final ActorRef<KeyCommand> self;
  private final Logger log;
  private String unreadable;
  private String incident;

  UnreadableValue(String key, ValueCodec codec, ValueMigrations migrations, ActorRef<KeyCommand> self, Logger log) {
    this.key = key;
    this.codec = codec;
    this.migrations = migrations;
    this.self = self;
    this.log = log;
  }

  /**
   * The key loaded {@code state}: reads its value once (the decoded value is kept for the first
   * get); one that does not read is reported, and the key is told to drop it. Returns the state as
   * the key must see it.
   */
  KeyState loaded(KeyState state) {
    if (state.hasValue() && state.valueFormat() != migrations.format()) {
      drop(state, "the stored value of version " + state.version() + " does not read as " + codec.type() + ": "
          + migrations.failure() + "; it was dropped and is computed anew");
    } else if (state.hasValue()) {
      try {
        state.value().value(codec);
      } catch (RuntimeException e) {
        drop(state, "the stored value of version " + state.version() + " no longer reads as " + codec.type()
            + " (" + (e.getCause() == null ? e : e.getCause()) + "); it was dropped and is computed anew");
      }
    }
    return seen(state);
  }

  private void drop(KeyState state, String reason) {
    unreadable = reason;
    log.warn("Key '{}': {}", key, unreadable);
    self.tell(new KeyCommand.DropUnreadable(state.version(), unreadable));
  }

  /** The state as commands must see it: without its value while that value cannot be read. */
  KeyState seen(KeyState state) {
    return unreadable == null ? state : state.withoutValue();
  }

  /** Whether a value still waits to be dropped. */
  boolean pending() {
    return unreadable != null;
  }

  /** The unreadable value is dropped from the journal. */
  void dropped(String reason) {
    unreadable = null;
    incident = reason;
  }

  /** The last thing the key dropped since it started, or null. */
  String incident() {
    return incident;
  }

  void reset() {
    unreadable = null;
  }
}
