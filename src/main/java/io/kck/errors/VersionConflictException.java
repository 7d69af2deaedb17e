package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * An augment named an expected version that is not the key's current one (someone else changed
 * the value first). Nothing was applied. The message names both versions; read the key again and
 * retry with its current version.
 */
public final class VersionConflictException extends KckException {
  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  public VersionConflictException(String key, String message, @Nullable Throwable cause) {
    super(Kind.VERSION_CONFLICT, key, message, cause);
  }
}
