package io.kck.primer;

/**
 * Internal API, not for users: lets a node's read tier (io.kck.entity.tier.ReadTier) or near cache
 * (io.kck.entity.tier.NearCache) remember on a {@link Key} where that key's entry sits, so that a get by
 * a key seen before reads the entry without a hash lookup. What is remembered is a cache,
 * invisible to {@link Key#equals}; any value a caller stores here is checked before it is used.
 */
@akka.annotation.InternalApi
public final class KeySlots {
  private KeySlots() {}

  /** What a read tier or near cache last remembered on {@code key}, or null. */
  public static Object of(Key<?> key) {
    return key.tierSlot;
  }

  /** Remembers {@code slot} on {@code key}, replacing what was there. */
  public static void remember(Key<?> key, Object slot) {
    key.tierSlot = slot;
  }
}
