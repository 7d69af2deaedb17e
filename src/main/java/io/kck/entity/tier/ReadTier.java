package io.kck.entity.tier;

import io.kck.entity.metrics.Meters;
import io.kck.primer.Key;
import io.kck.primer.internal.KeySlots;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This node's read tier: the entries of its keys, live or stopped, that a get may answer without
 * asking the key's actor (kck.entity.local-hits, kck.read-tier). Each is written only by its key's
 * actor (or by {@link TierLoader} for a key whose actor does not run). Bounded by weight: an entry
 * is a copy, so evicting one only sends the next get of its key to the actor or the journal.
 * Thread-safe; reads take no lock.
 *
 * <p>Each key with an entry has a {@link Slot} in a concurrent map. A {@link Key} remembers the
 * slot it was last found in ({@link KeySlots}), so a get by a key seen before reads the entry in
 * two hops, as Caffeine reads a value, with no hash lookup and no comparison of key texts (issue
 * 18's hit benchmark: 0.3 of Caffeine through the map, by key). That is safe because a slot holds
 * an entry only while it is in the map: every write to a slot happens inside a map operation on
 * its key, and the one that takes a slot out empties it.
 *
 * <p>Eviction is CLOCK (second chance): a hit marks its slot, and once the tier is past its weight
 * the writer that put it there moves a hand over the map, unmarking marked slots and evicting the
 * first unmarked one, until the tier fits. Why not Caffeine's bounded cache, as before: beside
 * the map it kept a node per entry (~100 of a stopped key's ~480 bytes, issue 18's budget being
 * 500), and a hit told it one lookup in 16, which cost more than the mark. What CLOCK loses is
 * frequency: one scan over many keys can evict hot ones, which then cost one ask or load again.
 */
public final class ReadTier {
  private static final AtomicInteger TIERS = new AtomicInteger();

  /**
   * Where one key's entry sits; empty, and out of the map, once the entry is withdrawn. Names its
   * tier by number, not reference, so that a key kept by a user holds no stopped node's tier.
   */
  static final class Slot {
    final int tier;
    volatile LocalEntry entry;
    // Read since the hand last passed (a new slot counts as read once). Plain: a lost mark only
    // makes an eviction less exact.
    boolean used = true;

    Slot(int tier) {
      this.tier = tier;
    }
  }

  private final int id = TIERS.incrementAndGet();
  private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final long maxWeight;
  private final AtomicLong weight = new AtomicLong();
  private final ReentrantLock evicting = new ReentrantLock();
  private Iterator<Map.Entry<String, Slot>> hand; // guarded by evicting

  public ReadTier(long maxWeight) {
    this.maxWeight = maxWeight;
  }

  /**
   * The entry of the key named {@code text} if a get may be answered from it now (see {@link
   * LocalEntry#servable}), counted as a local hit; null otherwise. An entry whose shard left this
   * node goes.
   */
  public LocalEntry servable(String text, Clock clock) {
    Slot slot = slots.get(text);
    return slot == null ? null : servable(text, slot, slot.entry, clock);
  }

  /** The same for {@code key}, through the slot it remembers when that still holds its entry. */
  public LocalEntry servable(Key<?> key, Clock clock) {
    Slot slot = KeySlots.of(key) instanceof Slot known && known.tier == id ? known : null;
    LocalEntry entry = slot == null ? null : slot.entry;
    if (entry == null) {
      slot = slots.get(key.text());
      if (slot == null) {
        return null;
      }
      KeySlots.remember(key, slot);
      entry = slot.entry;
    }
    return servable(key.text(), slot, entry, clock);
  }

  private LocalEntry servable(String text, Slot slot, LocalEntry entry, Clock clock) {
    if (entry == null) {
      return null;
    }
    if (!slot.used) {
      slot.used = true; // written only after the hand cleared it: a hit mostly only reads
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
  public LocalEntry get(String key) {
    Slot slot = slots.get(key);
    return slot == null ? null : slot.entry;
  }

  /** Makes {@code entry} the entry of {@code key}, in place of any other. */
  public void put(String key, LocalEntry entry) {
    slots.compute(key, (text, slot) -> {
      Slot held = slot != null ? slot : new Slot(id);
      LocalEntry old = held.entry;
      held.entry = entry;
      weight.addAndGet(entry.weight() - (old == null ? 0 : old.weight()));
      return held;
    });
    evictWhileOver();
  }

  /** Replaces {@code old} by {@code entry} if it is still there. */
  public void replace(String key, LocalEntry old, LocalEntry entry) {
    slots.computeIfPresent(key, (text, slot) -> {
      if (slot.entry == old) {
        slot.entry = entry;
        weight.addAndGet(entry.weight() - old.weight());
      }
      return slot;
    });
    evictWhileOver();
  }

  /** Runs the evictions due (tests). */
  void cleanUp() {
    evictWhileOver();
  }

  /** Removes {@code entry} if it is still there. */
  public void remove(String key, LocalEntry entry) {
    withdraw(key, entry);
  }

  /** Approximate bytes held (what {@code kck.read-tier.max-weight} bounds). */
  long weight() {
    return weight.get();
  }

  /**
   * Moves the hand until the tier fits its weight, if no other thread does: at most two turns
   * over the map (the first may only unmark), so a writer never loops on a tier it cannot shrink.
   */
  private void evictWhileOver() {
    if (weight.get() <= maxWeight || !evicting.tryLock()) {
      return;
    }
    try {
      long steps = 2L * slots.size() + 2;
      while (weight.get() > maxWeight && steps-- > 0) {
        if (hand == null || !hand.hasNext()) {
          hand = slots.entrySet().iterator();
          if (!hand.hasNext()) {
            return;
          }
        }
        Map.Entry<String, Slot> next = hand.next();
        Slot slot = next.getValue();
        LocalEntry entry = slot.entry;
        if (slot.used) {
          slot.used = false;
        } else if (entry != null) {
          withdraw(next.getKey(), entry);
        }
      }
    } finally {
      evicting.unlock();
    }
  }

  /** Empties the slot of {@code key} and takes it out of the map, if {@code entry} is still in it. */
  private void withdraw(String key, LocalEntry entry) {
    slots.computeIfPresent(key, (text, slot) -> {
      if (slot.entry != entry) {
        return slot;
      }
      slot.entry = null;
      weight.addAndGet(-entry.weight());
      return null;
    });
  }
}
