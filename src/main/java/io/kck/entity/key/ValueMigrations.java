package io.kck.entity.key;

import io.kck.entity.KeyEvent;
import io.kck.entity.KeyState;
import io.kck.persistence.StoredValue;
import io.kck.persistence.ValueCodec;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.ValueMigration;
import java.util.Optional;

/**
 * Reads a stored value of an older value format ({@link Primer#valueFormat()}) as the primer's value
 * type now, as the key loads: the value of its snapshot, and that of each {@link
 * KeyEvent.ValueStored} it replays, go through the primer's {@link ValueMigration} for their format
 * before any delta after them is applied. A value no migration reads keeps its old format, and
 * {@link UnreadableValue} drops it once the key has loaded, with {@link #failure()} as the reason.
 * Values of the current format pass untouched (the live events of the key too). Used by the key's
 * actor only.
 */
final class ValueMigrations {
  private final Key<?> key;
  private final ValueCodec codec;
  private final int format;
  private String failure;

  ValueMigrations(Key<?> key, ValueCodec codec) {
    this.key = key;
    this.codec = codec;
    this.format = key.primer().valueFormat();
  }

  /** The value format the primer declares now. */
  int format() {
    return format;
  }

  /** A loaded snapshot, its value migrated when it is of an older format. */
  KeyState snapshot(KeyState state) {
    if (!state.hasValue() || state.valueFormat() == format) {
      return state;
    }
    StoredValue migrated = migrate(state.value(), state.valueFormat());
    return migrated == null ? state : state.migrated(migrated, format);
  }

  /** A replayed value, migrated when it is of an older format. */
  KeyEvent.ValueStored replayed(KeyEvent.ValueStored stored) {
    int storedFormat = Math.max(1, stored.format());
    if (storedFormat == format) {
      return stored;
    }
    StoredValue migrated = migrate(stored.value(), storedFormat);
    return migrated == null ? stored : stored.migrated(migrated, format);
  }

  /** Why the last value that needed a migration did not get one, or null. */
  String failure() {
    return failure;
  }

  private StoredValue migrate(StoredValue value, int storedFormat) {
    if (storedFormat > format) {
      failure = "it is of value format " + storedFormat + ", newer than the format " + format + " of " + key.primer()
          + " on this node";
      return null;
    }
    @SuppressWarnings("unchecked")
    Optional<ValueMigration<Object>> migration = ((Primer<Object>) key.primer()).migrationFrom(storedFormat);
    if (migration.isEmpty()) {
      failure = "it is of value format " + storedFormat + ", and " + key.primer() + " (format " + format
          + ") declares no migration from it";
      return null;
    }
    try {
      Object migrated = migration.get().migrate(codec.tree(value.json()));
      if (migrated == null) {
        throw new NullPointerException("the migration returned null");
      }
      if (!codec.type().getRawClass().isInstance(migrated)) {
        throw new ClassCastException("the migration returned a " + migrated.getClass().getName() + ", not a "
            + codec.type());
      }
      return StoredValue.of(migrated, codec);
    } catch (Exception e) {
      failure = "it is of value format " + storedFormat + ", and its migration to format " + format + " failed: " + e;
      return null;
    }
  }
}
