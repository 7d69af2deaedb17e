package io.kck.entity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.kck.primer.Key;
import io.kck.primer.KeySlots;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's read tier: the entries of its keys, live or stopped, that a get may answer without
 * asking the key's actor (kck.entity.local-hits, kck.read-tier). Each is written only by its key's
 * actor. Bounded by weight and evicting by frequency: an entry is a copy, so evicting one only
 * sends the next get of its key to the actor. Thread-safe; reads take no lock.
 *
 * <p>Each key with an entry has a {@link Slot} in a concurrent map. A {@link Key} remembers the
 * slot it was last found in ({@link KeySlots}), so a get by a key seen before reads the entry in
 * two hops, as Caffeine reads a value, with no hash lookup and no comparison of key texts (issue
 * 18's hit benchmark: 0.3 of Caffeine through the map, by key). That is safe because a slot holds
 * an entry only while it is in the map: every write to a slot happens inside a map operation on
 * its key, and the one that takes a slot out empties it.
 *
 * <p>A Caffeine cache holding the same entries decides what to evict, and evicting from it
 * removes from the map. Why not serve from it: a read of a bounded Caffeine cache passes its node
 * and its read buffer, ~30% slower than the map alone. One lookup in {@value #SAMPLED} is told to
 * it, so its frequency sketch sees the same relative frequencies at a sixteenth of the cost.
 */
final class ReadTier {
  private static final int SAMPLED = 16;
  private static final AtomicInteger TIERS = new AtomicInteger();

  /**
   * Where one key's entry sits; empty, and out of the map, once the entry is withdrawn. Names its
   * tier by number, not reference, so that a key kept by a user holds no stopped node's tier.
   */
  static final class Slot {
    final int tier;
    volatile LocalEntry entry;

    Slot(int tier) {
      this.tier = tier;
    }
  }

  private final int id = TIERS.incrementAndGet();
  private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final Cache<String, LocalEntry> eviction;

  ReadTier(long maxWeight) {
    this.eviction = Caffeine.newBuilder()
        .maximumWeight(maxWeight)
        .<String, LocalEntry>weigher((key, entry) -> entry.weight())
        .evictionListener((String key, LocalEntry entry, RemovalCause cause) -> {
          if (key != null && entry != null) {
            withdraw(key, entry);
          }
        })
        .build();
  }

  /**
   * The entry of the key named {@code text} if a get may be answered from it now (see {@link
   * LocalEntry#servable}), counted as a local hit; null otherwise. An entry whose shard left this
   * node goes.
   */
  LocalEntry servable(String text, Clock clock) {
    Slot slot = slots.get(text);
    return slot == null ? null : servable(text, slot.entry, clock);
  }

  /** The same for {@code key}, through the slot it remembers when that still holds its entry. */
  LocalEntry servable(Key<?> key, Clock clock) {
    LocalEntry entry = KeySlots.of(key) instanceof Slot known && known.tier == id ? known.entry : null;
    if (entry == null) {
      Slot slot = slots.get(key.text());
      if (slot == null) {
        return null;
      }
      KeySlots.remember(key, slot);
      entry = slot.entry;
    }
    return servable(key.text(), entry, clock);
  }

  private LocalEntry servable(String text, LocalEntry entry, Clock clock) {
    if (entry == null) {
      return null;
    }
    if ((ThreadLocalRandom.current().nextInt() & (SAMPLED - 1)) == 0) {
      eviction.getIfPresent(text);
    }
    if (entry.servable(clock)) {
      entry.meters().get(Meters.GetOutcome.HIT_LOCAL);
      return entry;
    }
    if (entry.guard() != null && !entry.guard().holds()) {
      withdraw(text, entry); // it can never be served again
    }
    return null;
  }

  /** The entry of {@code key} whether or not it is servable, or null. */
  LocalEntry get(String key) {
    Slot slot = slots.get(key);
    return slot == null ? null : slot.entry;
  }

  /** Makes {@code entry} the entry of {@code key}, in place of any other. */
  void put(String key, LocalEntry entry) {
    slots.compute(key, (text, slot) -> {
      Slot held = slot != null ? slot : new Slot(id);
      held.entry = entry;
      return held;
    });
    eviction.put(key, entry);
  }

  /** Replaces {@code old} by {@code entry} if it is still there. */
  void replace(String key, LocalEntry old, LocalEntry entry) {
    boolean[] replaced = {false};
    slots.computeIfPresent(key, (text, slot) -> {
      if (slot.entry == old) {
        slot.entry = entry;
        replaced[0] = true;
      }
      return slot;
    });
    if (replaced[0]) {
      eviction.put(key, entry);
    }
  }

  /** Runs the evictions the bounded cache has pending (tests). */
  void cleanUp() {
    eviction.cleanUp();
  }

  /** Removes {@code entry} if it is still there. */
  void remove(String key, LocalEntry entry) {
    if (withdraw(key, entry)) {
      eviction.asMap().remove(key, entry);
    }
  }

  /** Empties the slot of {@code key} and takes it out of the map, if {@code entry} is still in it. */
  private boolean withdraw(String key, LocalEntry entry) {
    boolean[] withdrawn = {false};
    slots.computeIfPresent(key, (text, slot) -> {
      if (slot.entry != entry) {
        return slot;
      }
      slot.entry = null;
      withdrawn[0] = true;
      return null;
    });
    return withdrawn[0];
  }
}
