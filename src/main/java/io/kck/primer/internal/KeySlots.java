package io.kck.primer.internal;

import io.kck.primer.Key;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * Lets a node's read tier (io.kck.entity.tier.ReadTier) or near cache (io.kck.entity.tier.NearCache)
 * remember on a {@link Key} where that key's entry sits, so that a get by a key seen before reads
 * the entry without a hash lookup. What is remembered is a cache, invisible to {@link Key#equals};
 * any value a caller stores here is checked before it is used.
 *
 * <p>On every get: a read of a static final handle to the key's field, which the JIT compiles to
 * the plain (racy by design) field access; nothing is allocated or looked up.
 */
public final class KeySlots {
  private static final VarHandle SLOT = PrimerPackage.field(Key.class, "tierSlot", Object.class);

  private KeySlots() {}

  /** What a read tier or near cache last remembered on {@code key}, or null. */
  public static @Nullable Object of(Key<?> key) {
    return SLOT.get(key);
  }

  /** Remembers {@code slot} on {@code key}, replacing what was there. */
  public static void remember(Key<?> key, Object slot) {
    SLOT.set(key, slot);
  }
}
