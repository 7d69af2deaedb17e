package io.kck.entity.key;

import io.kck.entity.KeyState;
import io.kck.entity.Problem;
import io.kck.errors.KckException;
import io.kck.primer.Key;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The optimistic concurrency of puts and augments: a write that names the version it expects is
 * refused unless the key's value is still that version. Checked by the key's actor as it takes the
 * write, so that of two writes expecting one version exactly one wins.
 */
final class ExpectedVersion {
  private ExpectedVersion() {}

  /**
   * Why {@code state} refuses a write expecting {@code expected} ({@code action}: "put",
   * "augment"; {@code undone}: what did not happen), or null when it expects nothing or the value
   * is at that version.
   */
  static Problem conflict(Key<?> key, String action, String undone, KeyState state, OptionalLong expected) {
    if (expected.isEmpty()) {
      return null;
    }
    long version = expected.getAsLong();
    if (!state.hasValue()) {
      return Problem.of(KckException.Kind.VERSION_CONFLICT, "Cannot " + action + " key '" + key + "' at version "
          + version + ": it has no value (" + state.status().name().toLowerCase(Locale.ROOT) + "). Nothing was "
          + undone, null);
    }
    if (version != state.version()) {
      return Problem.of(KckException.Kind.VERSION_CONFLICT, "Cannot " + action + " key '" + key + "' at version "
          + version + ": its current version is " + state.version() + ". Nothing was " + undone, null);
    }
    return null;
  }
}
