package io.kck.entity;

import java.util.HashMap;
import java.util.Map;

/**
 * Arithmetic on lineages and requirements: maps from upstream key to version. A lineage says from
 * which versions a value was made; a requirement (or a change's cause) says which versions a value
 * must have seen.
 */
public final class Lineage {
  private Lineage() {}

  /**
   * Whether a value made from {@code lineage} has seen every version {@code required} asks for.
   * Keys the lineage does not contain are not this value's concern.
   */
  public static boolean satisfies(Map<String, Long> lineage, Map<String, Long> required) {
    for (Map.Entry<String, Long> need : required.entrySet()) {
      Long have = lineage.get(need.getKey());
      if (have != null && have < need.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Whether a compute started with {@code promised} will see what {@code required} asks of {@code lineage}. */
  public static boolean covers(Map<String, Long> promised, Map<String, Long> required, Map<String, Long> lineage) {
    for (Map.Entry<String, Long> need : required.entrySet()) {
      Long have = lineage.get(need.getKey());
      if (have != null && have < need.getValue()
          && promised.getOrDefault(need.getKey(), 0L) < need.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Adds {@code more} into {@code into}, keeping the newer version of each key. */
  public static void mergeInto(Map<String, Long> into, Map<String, Long> more) {
    more.forEach((key, version) -> into.merge(key, version, Math::max));
  }

  public static Map<String, Long> merged(Map<String, Long> a, Map<String, Long> b) {
    Map<String, Long> all = new HashMap<>(a);
   mergeInto(all, b);
    return all;
  }

  /** Drops from {@code required} what {@code lineage} has seen, and what it does not depend on. */
  public static void prune(Map<String, Long> required, Map<String, Long> lineage) {
    required.entrySet().removeIf(need -> {
      Long have = lineage.get(need.getKey());
      return have == null || have >= need.getValue();
    });
  }
}
