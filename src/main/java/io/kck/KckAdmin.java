package io.kck;

import io.kck.entity.KeyStatus;
import io.kck.entity.node.Engine;
import io.kck.errors.InvalidKeyException;
import io.kck.errors.InvalidValueException;
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
  /** The longest wait Akka's scheduler takes (a Scala duration counts nanoseconds in a long). */
  private static final Duration LONGEST_WAIT = Duration.ofDays(365);
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
    String problem = badWait(within);
    if (problem != null) {
      return kck.failed(new InvalidValueException("(health)", "Cannot check health: " + problem, null));
    }
    return engine.health(within).thenApply(checks -> new Health(checks.stream()
        .map(check -> new Health.Check(check.name(), check.ok(), check.degraded(), check.detail())).toList()));
  }

  /**
   * What the actor of {@code key} is doing now. It computes nothing, and starts an actor only for a
   * key that may hold something: one whose actor runs on this node is asked; one that has rows in
   * the journal is asked too (its actor starts and loads its state); any other key never had a
   * value and is answered {@link KeyInfo.State#EMPTY}, version 0, without an actor, so that
   * inspecting made-up keys (the HTTP page's search) creates nothing. A key whose actor runs on
   * another node and has not journaled its first value yet reads as empty from here. Waits up to
   * {@code kck.request-timeout}.
   *
   * <p>Fails the stage, with nothing started, with {@link InvalidKeyException} for a null key and
   * {@link io.kck.errors.UnknownPrimerException} for a key whose primer is not the one registered
   * under its name; with {@link io.kck.errors.OverloadedException} when too many checks of keys'
   * rows wait for the database.
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
    if (!kck.registered(key)) {
      return kck.failed(kck.unregistered(key));
    }
    String problem = badWait(within);
    if (problem != null) {
      return kck.failed(new InvalidValueException(key.text(), "Cannot inspect key '" + key + "': " + problem, null));
    }
    Kck.KckFuture<KeyInfo> result = new Kck.KckFuture<>(kck.system().executionContext());
    engine.inspect(key, within).whenComplete((status, error) -> {
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
   * and its table of first-compute marks (kck.database.first-computes-table) once no primer declares
   * a source: a slot nobody reads keeps PostgreSQL's WAL, and fills its disk. Completes with what it
   * dropped, for example {@code ["slot kck_sources", "publication kck_sources", "table
   * kck_first_computes"]} (empty when there was nothing); fails with {@link
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

  /** What is wrong with {@code within} as a wait, or null when it is one. */
  private static String badWait(Duration within) {
    if (within == null) {
      return "the wait (parameter 'within') is null";
    }
    if (within.isNegative() || within.isZero() || within.compareTo(LONGEST_WAIT) > 0) {
      return "the wait (parameter 'within') must be positive and at most " + LONGEST_WAIT + ", got " + within;
    }
    return null;
  }

  private static KeyInfo info(KeyStatus status) {
    return new KeyInfo(status.key(), KeyInfo.State.valueOf(status.status().name()), status.version(),
        status.computeInFlight() != 0, status.waiting(), status.retryAt(), status.outdated(), status.inputs(),
        status.dependents(), status.computedAt(), status.hookFailure(), status.deltasSetAside(), status.incident());
  }
}
