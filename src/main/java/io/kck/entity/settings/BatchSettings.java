package io.kck.entity.settings;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.kck.primer.Primer;
import io.kck.primer.internal.PrimerRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How the computes of primers with a batch compute are grouped, read once from {@code kck.batch}
 * and {@code kck.primers."<name>".batch-size} at start-up. Immutable.
 *
 * @param defaultSize {@code kck.batch.size}: the most keys in one batch, for primers that say nothing
 * @param linger {@code kck.batch.linger}: how long a batch that is not full waits for more keys
 * @param sizes the resolved batch size of each primer that has a batch compute, by name
 */
public record BatchSettings(int defaultSize, Duration linger, Map<String, Integer> sizes) {

  /** The library defaults, for runtimes built without a configuration (unit tests). */
  public static final BatchSettings DEFAULTS = new BatchSettings(100, Duration.ofMillis(10), Map.of());

  public BatchSettings {
    sizes = Map.copyOf(sizes);
  }

  /**
   * Reads {@code kck.batch} and every registered primer's batch size.
   *
   * @throws IllegalArgumentException naming the path of an invalid setting, or of a {@code
   *     batch-size} set for a primer that has no batch compute
   */
  public static BatchSettings fromConfig(Config config, PrimerRegistry registry) {
    String path = "kck.batch";
    try {
      Config batch = config.getConfig(path);
      int size = batch.getInt("size");
      if (size < 1) {
        throw new IllegalArgumentException(path + ".size must be at least 1, got " + size);
      }
      Duration linger = batch.getDuration("linger");
      if (linger.isNegative()) {
        throw new IllegalArgumentException(path + ".linger must not be negative, got " + linger);
      }
      Map<String, Integer> sizes = new HashMap<>();
      for (Primer<?> primer : registry.primers()) {
        String setting = "kck.primers.\"" + primer.name() + "\".batch-size";
        boolean overridden = config.hasPath(setting);
        if (primer.batchCompute().isEmpty()) {
          if (overridden) {
            throw new IllegalArgumentException(setting + " is set, but " + primer + " has no batch compute"
                + " (PrimerBuilder.computeAll or Primer.batchCompute())");
          }
          continue;
        }
        int own = overridden ? config.getInt(setting) : primer.batchSize().orElse(size);
        if (own < 1) {
          throw new IllegalArgumentException((overridden ? setting : primer + "'s batchSize()")
              + " must be at least 1, got " + own);
        }
        sizes.put(primer.name(), own);
      }
      return new BatchSettings(size, linger, sizes);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("Invalid KCK setting under " + path + ": " + e.getMessage(), e);
    }
  }

  /** The most keys one batch of {@code primer} holds. */
  public int sizeOf(Primer<?> primer) {
    return sizes.getOrDefault(primer.name(), primer.batchSize().orElse(defaultSize));
  }
}
