package io.kck.http;

import com.typesafe.config.Config;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.errors.NotCachedException;
import io.kck.primer.Key;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A read of a key over HTTP, by its primer's {@link ReadPolicy}: compute a missing value, or
 * answer only one that exists (404 NOT_CACHED otherwise, with nothing computed, written or
 * started).
 */
final class KeyReads {
  private final Kck kck;
  private final Map<String, ReadPolicy> policies;

  KeyReads(Kck kck, Config config, String defaultReads) {
    this.kck = kck;
    this.policies = ReadPolicy.of(config, kck.primers(), defaultReads);
  }

  ReadPolicy policy(Key<?> key) {
    return policies.getOrDefault(key.primer().name(), ReadPolicy.PRESENT_ONLY);
  }

  /** The entry of {@code key}; fails with {@link NotCachedException} when the policy forbids computing it. */
  CompletionStage<Entry<Object>> entry(Key<?> key) {
    @SuppressWarnings("unchecked")
    Key<Object> typed = (Key<Object>) key;
    if (policy(key) == ReadPolicy.COMPUTE) {
      return kck.getEntry(typed);
    }
    return kck.getEntryIfPresent(typed).thenApply(found -> found.orElseThrow(() -> new NotCachedException(key.text(),
        "Key '" + key + "' has no value, and HTTP reads of primer '" + key.primer().name() + "' do not compute"
            + " (kck.primers.\"" + key.primer().name() + "\".http-reads = present-only)", null)));
  }
}
