package io.kck;

import io.kck.entity.KeyStatus;
import io.kck.entity.node.Engine;
import io.kck.errors.InvalidKeyException;
import io.kck.primer.Key;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Advanced access for operations and tools (the HTTP page uses it), in the spirit of Caffeine's
 * {@code policy()}: what a key's actor is doing, which keys live on this node, and the retention
 * sweep on demand. Nothing here changes a value a caller could still want. Thread-safe; stages
 * fail like {@link Kck}'s.
 */
public final class KckAdmin {
  private final Kck kck;
  private final Engine engine;
  private final CompositeMeterRegistry meters;

  KckAdmin(Kck kck, Engine engine, CompositeMeterRegistry meters) {
    this.kck = kck;
    this.engine = engine;
    this.meters = meters;
  }

  /**
   * The registry KCK records its meters into: the one given to {@link Kck.Builder#meterRegistry}
   * (or Micrometer's global one), inside a composite to which more registries can be added (the
   * HTTP service adds a Prometheus one for {@code GET /metrics}). Thread-safe.
   */
  public CompositeMeterRegistry meters() {
    return meters;
  }

  /**
   * Whether this node is ready for traffic, checked now: it is an {@code Up} member of its cluster,
   * its shard region answers (within {@code within}), and its database probe reaches PostgreSQL
   * and finds KCK's tables (the probe runs every second). Never fails; a check that cannot answer
   * in time is failing.
   */
  public CompletionStage<Health> health(Duration within) {
    return engine.health(within).thenApply(checks -> new Health(checks.stream()
        .map(check -> new Health.Check(check.name(), check.ok(), check.degraded(), check.detail())).toList()));
  }

  /**
   * What the actor of {@code key} is doing now (it starts the actor, and loads its state, when it
   * is not running; it computes nothing). Waits up to {@code kck.request-timeout}.
   */
  public CompletionStage<KeyInfo> inspect(Key<?> key) {
    return inspect(key, engine.keys().timeout());
  }

  /**
   * Like {@link #inspect(Key)}, waiting at most {@code within}: for views of many keys that must
   * answer quickly (a key that is loading, or cannot load while the database is down, fails with
   * {@link io.kck.errors.KckTimeoutException} instead of holding the view up).
   */
  public CompletionStage<KeyInfo> inspect(Key<?> key, Duration within) {
    if (key == null) {
      return kck.failed(new InvalidKeyException("null", "The key (parameter 'key') is null"));
    }
    Kck.KckFuture<KeyInfo> result = new Kck.KckFuture<>(kck.system().executionContext());
    engine.keys().inspect(key.text(), within).whenComplete((status, error) -> {
      if (error != null) {
        result.completeExceptionally(Kck.asKckException(key.text(), error));
      } else {
        result.complete(info(status));
      }
    });
    return result;
  }

  /** The keys whose actors are alive on this node now, sorted (other nodes hold the others). */
  public CompletionStage<List<String>> liveKeys() {
    Kck.KckFuture<List<String>> result = new Kck.KckFuture<>(kck.system().executionContext());
    engine.liveKeys().whenComplete((keys, error) -> {
      if (error != null) {
        result.completeExceptionally(Kck.asKckException("(live keys)", error));
      } else {
        result.complete(keys);
      }
    });
    return result;
  }

  /**
   * Forgets now the keys nobody wants, as the periodic retention sweep does ({@code
   * kck.retention}, per primer {@code kck.primers."<name>".retention}): keys none of whose rows
   * was written within {@code forget-after}, at most {@code max-per-sweep} of them. Each such key
   * decides itself: it is kept while other keys read it, while it is warm or running (in use on
   * some node, or subscribed to), and, unless {@code forget-supplied} is on, while its value holds
   * data the application gave (a put, or an augment since its last compute). A forgotten key has
   * no rows left; its next get computes it as a new key, numbered above every version its primer
   * forgot (a client that still holds an old version never sees it again for another value).
   *
   * <p>One node runs sweeps (a cluster singleton); a call during a sweep completes with that
   * sweep's report. Fails with {@link io.kck.errors.KckTimeoutException} when the sweep takes longer
   * than {@code kck.request-timeout}; it goes on regardless.
   */
  public CompletionStage<ForgetReport> forgetUnused() {
    Kck.KckFuture<ForgetReport> result = new Kck.KckFuture<>(kck.system().executionContext());
    engine.forgetUnused(engine.keys().timeout()).whenComplete((swept, error) -> {
      if (error != null) {
        result.completeExceptionally(Kck.asKckException("(retention sweep)", error));
      } else {
        result.complete(new ForgetReport(swept.forgotten(), swept.kept(), swept.failed()));
      }
    });
    return result;
  }

  /**
   * Drops KCK's logical replication slot and publication (kck.sources.slot, kck.sources.publication)
   * once no primer declares a source: a slot nobody reads keeps PostgreSQL's WAL, and fills its disk.
   * Completes with what it dropped (empty when there was nothing); fails with {@link
   * io.kck.errors.KckException} while primers still declare sources, or when the database refuses
   * (the slot is read by another process). See docs/sources.md.
   */
  public CompletionStage<List<String>> dropUnusedSources() {
    Kck.KckFuture<List<String>> result = new Kck.KckFuture<>(kck.system().executionContext());
    engine.dropUnusedSources().whenComplete((dropped, error) -> {
      if (error != null) {
        result.completeExceptionally(Kck.asKckException("(sources)", error));
      } else {
        result.complete(dropped);
      }
    });
    return result;
  }

  private static KeyInfo info(KeyStatus status) {
    return new KeyInfo(status.key(), KeyInfo.State.valueOf(status.status().name()), status.version(),
        status.computeInFlight() != 0, status.waiting(), status.retryAt(), status.outdated(), status.inputs(),
        status.dependents(), status.computedAt(), status.hookFailure(), status.deltasSetAside(), status.incident());
  }
}
