package io.kck.http;

import com.typesafe.config.Config;
import io.kck.primer.Primer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * What an HTTP read of a key without a value may do, per primer: {@code kck.primers."<name>".http-reads},
 * else {@code kck.http.reads}. The Java API is the application's own code and keeps its rules;
 * this is the rule for whoever reaches the port.
 */
enum ReadPolicy {
  /** Compute the value, like {@code Kck.get}: each new key costs a compute and a journal row. */
  COMPUTE,
  /** Answer only values that exist ({@code Kck.getIfPresent}): 404 NOT_CACHED otherwise. */
  PRESENT_ONLY;

  static ReadPolicy parse(String path, String value) {
    return switch (value) {
      case "compute" -> COMPUTE;
      case "present-only" -> PRESENT_ONLY;
      default -> throw new IllegalArgumentException(path + " must be compute or present-only, got '" + value + "'");
    };
  }

  /** The policy of each primer, by name. */
  static Map<String, ReadPolicy> of(Config config, Collection<Primer<?>> primers, String defaultReads) {
    ReadPolicy fallback = parse("kck.http.reads", defaultReads);
    Map<String, ReadPolicy> policies = new HashMap<>();
    for (Primer<?> primer : primers) {
      String path = "kck.primers.\"" + primer.name() + "\".http-reads";
      policies.put(primer.name(), config.hasPath(path) ? parse(path, config.getString(path)) : fallback);
    }
    return Map.copyOf(policies);
  }
}
