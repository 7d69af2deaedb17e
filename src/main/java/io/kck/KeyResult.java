package io.kck;

import io.kck.errors.KckException;
import org.jspecify.annotations.Nullable;

/**
 * One key's outcome in {@link Kck#getAll}: its entry, or the error this key alone failed with.
 *
 * @param key the key's canonical text
 * @param entry the entry, when the get succeeded; otherwise {@code null}
 * @param error why the get of this key failed; {@code null} when it succeeded
 * @param <V> the value type
 */
public record KeyResult<V>(String key, @Nullable Entry<V> entry, @Nullable KckException error) {

  static <V> KeyResult<V> ok(String key, Entry<V> entry) {
    return new KeyResult<>(key, entry, null);
  }

  static <V> KeyResult<V> failed(String key, KckException error) {
    return new KeyResult<>(key, null, error);
  }

  /** Whether this key answered a value. */
  public boolean ok() {
    return error == null;
  }
}
