package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * An augment reached a key that has no value (never computed, or invalidated). Nothing was applied
 * and nothing was computed: a compute run now might already include the data the delta describes,
 * and applying the delta on top would count it twice. Get (or put) the key first, then augment.
 */
public final class NothingToAugmentException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public NothingToAugmentException(String key, String message, @Nullable Throwable cause) {
    super(Kind.NOTHING_TO_AUGMENT, key, message, cause);
  }
}
