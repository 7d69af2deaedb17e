package io.kck.entity.tier;

import com.typesafe.config.Config;
import io.kck.entity.metrics.Meters;
import io.kck.entity.settings.EntitySettings;
import io.kck.primer.Primer;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/** A near cache without an ActorSystem: for tests of a key's parts whose primers are not near-cached. */
public final class LocalNearCache {
  private LocalNearCache() {}

  public static NearCache of(Config config, EntitySettings settings, Iterable<Primer<?>> primers, Meters meters,
      ShardGuards guards, Clock clock) {
    return new NearCache(null, config, settings, primers, meters, guards,
        key -> CompletableFuture.failedFuture(new IllegalStateException("no renewals in this test")), clock);
  }
}
