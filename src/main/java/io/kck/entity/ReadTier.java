package io.kck.entity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This node's read tier: the entries of its keys, live or stopped, that a get may answer without
 * asking the key's actor (kck.entity.local-hits, kck.read-tier). Each is written only by its key's
 * actor. Bounded by weight and evicting by frequency: an entry is a copy, so evicting one only
 * sends the next get of its key to the actor. Thread-safe.
 *
 * <p>Gets read a plain concurrent map; a Caffeine cache holding the same entries decides what to
 * evict, and evicting from it removes from the map. Why two: a read of a bounded Caffeine cache
 * passes its node and its read buffer, which made a hit ~30% slower than the map alone (issue 18's
 * hit benchmark). One lookup in {@value #SAMPLED} is also told to the cache, so its frequency
 * sketch sees the same relative frequencies at a sixteenth of the cost.
 */
final class ReadTier {
  private static final int SAMPLED = 16;

  private final ConcurrentMap<String, LocalEntry> serving = new ConcurrentHashMap<>();
  private final Cache<String, LocalEntry> eviction;

  ReadTier(long maxWeight) {
    this.eviction = Caffeine.newBuilder()
        .maximumWeight(maxWeight)
        .<String, LocalEntry>weigher((key, entry) -> entry.weight())
        .evictionListener((String key, LocalEntry entry, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
          if (key != null && entry != null) {
            serving.remove(key, entry);
          }
        })
        .build();
  }

  /**
   * The entry of the key named {@code text} if a get may be answered from it now (see {@link
   * LocalEntry#servable}); null otherwise. An entry whose shard left this node goes.
   */
  LocalEntry servable(String text, java.time.Clock clock) {
    LocalEntry entry = serving.get(text);
    if (entry == null) {
      return null;
    }
    if ((ThreadLocalRandom.current().nextInt() & (SAMPLED - 1)) == 0) {
      eviction.getIfPresent(text);
    }
    if (entry.servable(clock)) {
      return entry;
    }
    if (entry.guard() != null && !entry.guard().holds()) {
      remove(text, entry); // it can never be served again
    }
    return null;
  }

  LocalEntry get(String key) {
    return serving.get(key);
  }

  void put(String key, LocalEntry entry) {
    serving.put(key, entry);
    eviction.put(key, entry);
  }

  /** Replaces {@code old} by {@code entry} if it is still there. */
  void replace(String key, LocalEntry old, LocalEntry entry) {
    if (serving.replace(key, old, entry)) {
      eviction.put(key, entry);
    }
  }

  /** Removes {@code entry} if it is still there. */
  void remove(String key, LocalEntry entry) {
    if (serving.remove(key, entry)) {
      eviction.asMap().remove(key, entry);
    }
  }
}
