package io.kck.http;

import com.typesafe.config.Config;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.errors.NotCachedException;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.internal.FreshnessConfig;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * A read of a key over HTTP, by its primer's {@link ReadPolicy}: compute a missing value, or
 * answer only one that exists (404 NOT_CACHED otherwise, with nothing computed, written or
 * started).
 */
final class KeyReads {
  private final Kck kck;
  private final Map<String, ReadPolicy> policies;
  /** Primers whose every read computes: reads of their keys without a token are limited. */
  private final Set<String> alwaysFresh;
  private final AnonymousComputes anonymous;

  KeyReads(Kck kck, Config config, String defaultReads, AnonymousComputes anonymous) {
    this.kck = kck;
    this.policies = ReadPolicy.of(config, kck.primers(), defaultReads);
    this.alwaysFresh = kck.primers().stream()
        .filter(primer -> freshness(config, primer) instanceof Freshness.AlwaysFresh)
        .map(Primer::name)
        .collect(Collectors.toUnmodifiableSet());
    this.anonymous = anonymous;
  }

  /**
   * The freshness {@code primer}'s keys run with: {@code kck.primers."<name>".freshness} when set
   * (valid, or {@code Kck.start} had failed), else the primer's own.
   */
  static Freshness freshness(Config config, Primer<?> primer) {
    String path = "kck.primers.\"" + primer.name() + "\".freshness";
    return config.hasPath(path) ? FreshnessConfig.fromConfig(path, config.getConfig(path)) : primer.freshness();
  }

  /**
   * Like {@link #entry(Key)}, for a caller that showed no token ({@code anonymous}): a key whose
   * every read computes computes at most once an interval for such callers ({@link AnonymousComputes}).
   * Only always-fresh keys need it: a max-age key refreshes at most once per soft age however
   * often it is read, and other keys compute only when they have no value.
   */
  CompletionStage<Entry<Object>> entry(Key<?> key, boolean anonymous) {
    if (anonymous && alwaysFresh.contains(key.primer().name())) {
      return this.anonymous.read(key.text(), () -> entry(key));
    }
    return entry(key);
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
        "Key '" + key + "' has no value, and HTTP reads of primer '" + key.primer().name() + "' answer only"
            + " values that exist: they do not compute", null)));
  }
}
