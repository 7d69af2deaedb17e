package io.kck.entity.key;

import io.kck.entity.ComputeReads;
import io.kck.entity.EntryData;
import io.kck.entity.KeyClient;
import io.kck.entity.KeyCommand;
import io.kck.entity.Lineage;
import io.kck.entity.compute.ComputeExecutor;
import io.kck.entity.metrics.Meters;
import io.kck.errors.DependencyCycleException;
import io.kck.errors.KckException;
import io.kck.errors.KeyUnavailableException;
import io.kck.persistence.StoredValue;
import io.kck.persistence.ValueCodec;
import io.kck.persistence.ValueCodecs;
import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.ValueFreshness;
import io.kck.primer.internal.PrimerRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The context of one compute: the value it replaces, and its reads of other products. Each read
 * is a {@link KeyCommand.Read} to the product's key entity, answered once that key has recorded
 * this one as a dependent and is up to date with what this compute requires; the compute thread
 * waits through {@link ComputeExecutor#blockOn}, which gives its place in the pool to another
 * compute while it waits.
 *
 * <p>An input whose change notification carried its new entry (an eager key's recompute, {@link
 * Dependencies#takeCarried}) is read from that entry instead, when it has seen what the read
 * requires: the same answer the input would give, without the round trip through sharding. Its
 * edge stands (it told this key), so nothing is lost by not asking.
 *
 * <p>The reads keep the lineage (upstream key to version) of everything read so far. A read whose
 * lineage is behind an earlier one (B made from A@5, then C from A@4) is repeated with the newer
 * version required, so C catches up; a read that is ahead of an earlier one (the earlier read is
 * the old one) marks the result {@code inconsistent}, and the entity computes again instead of
 * storing it.
 *
 * <p>Used by one compute thread; {@link #abort}, {@link #waitingOn}, {@link #readSoFar} and {@link
 * #cancel} may be called by the key's actor.
 */
final class TrackedReads implements ComputeContext<Object> {

  private final String self;
  private final List<String> path;
  private final Map<String, Long> required;
  private final StoredValue previous;
  private final long previousVersion;
  private final ValueCodec codec;
  // What reading other keys needs; not the whole KeyRuntime, which would tie a compute to the node's wiring.
  private final PrimerRegistry primers;
  private final ValueCodecs codecs;
  private final KeyClient client;
  private final Map<String, EntryData> carried;
  private final Meters.PrimerMeters meters;

  private final Map<String, Long> inputs = new LinkedHashMap<>();
  private final Map<String, Long> lineage = new HashMap<>();
  private boolean inconsistent;
  private ValueFreshness freshness;
  // The oldest version of each upstream key read so far, for the actor: an input that moves past it
  // makes this compute stale (StaleComputes).
  private final Map<String, Long> readSoFar = new ConcurrentHashMap<>();
  private volatile boolean cancelled;

  private volatile String reading;
  private volatile CompletableFuture<EntryData> pending;

  TrackedReads(
      String self,
      List<String> path,
      Map<String, Long> required,
      StoredValue previous,
      long previousVersion,
      ValueCodec codec,
      PrimerRegistry primers,
      ValueCodecs codecs,
      KeyClient client,
      Map<String, EntryData> carried,
      Meters.PrimerMeters meters) {
    this.self = self;
    this.path = path;
    this.required = required;
    this.previous = previous;
    this.previousVersion = previousVersion;
    this.codec = codec;
    this.primers = primers;
    this.codecs = codecs;
    this.client = client;
    this.carried = carried;
    this.meters = meters;
  }

  @Override
  public Optional<Object> previousValue() {
    return previous == null ? Optional.empty() : Optional.of(previous.value(codec));
  }

  @Override
  public long previousVersion() {
    return previousVersion;
  }

  @Override
  public void valueFreshness(ValueFreshness freshness) {
    this.freshness = Objects.requireNonNull(freshness, "freshness");
  }

  /** The freshness the compute gave its value, or null. */
  ValueFreshness freshness() {
    return freshness;
  }

  @Override
  public Object get(String key) {
    return get(primers.parse(key));
  }

  @Override
  public <T> T get(Key<T> key) {
    String target = key.text();
    if (path.contains(target)) {
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(target), path.size()));
      cycle.add(target);
      throw cycle(cycle);
    }
    EntryData entry = read(target, required);
    Map<String, Long> offered = offered(target, entry);
    Map<String, Long> behind = new HashMap<>();
    offered.forEach((upstream, version) -> {
      Long seen = lineage.get(upstream);
      if (seen != null && version < seen) {
        behind.put(upstream, seen);
      }
    });
    if (!behind.isEmpty()) {
      // This input was made from an older version than an earlier read saw: read it again, caught up.
      Map<String, Long> catchUp = new HashMap<>(required);
      behind.forEach((upstream, version) -> catchUp.merge(upstream, version, Math::max));
      entry = read(target, catchUp);
      offered = offered(target, entry);
    }
    if (offered.containsKey(self)) {
      throw cycle(List.of(self, target, "...", self));
    }
    offered.forEach((upstream, version) -> {
      Long seen = lineage.put(upstream, version);
      if (seen != null && !seen.equals(version)) {
        inconsistent = true;
        lineage.put(upstream, Math.max(seen, version));
      }
    });
    inputs.put(target, entry.version());
    offered.forEach((upstream, version) -> readSoFar.merge(upstream, version, Math::min));
    @SuppressWarnings("unchecked")
    T value = (T) entry.value().value(codecs.of(key.primer()));
    return value;
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  /** The key's actor gave up on this compute: an input it read has changed. */
  void cancel() {
    cancelled = true;
  }

  /** The oldest version of each upstream key this compute has read so far (a live, thread-safe view). */
  Map<String, Long> readSoFar() {
    return readSoFar;
  }

  ComputeReads result() {
    return new ComputeReads(Map.copyOf(inputs), Map.copyOf(lineage), inconsistent);
  }

  /** The key this compute is blocked on now, or null. */
  String waitingOn() {
    return reading;
  }

  /** Fails the read the compute is blocked on (a cycle was found through it). */
  void abort(KckException reason) {
    CompletableFuture<EntryData> waiting = pending;
    if (waiting != null) {
      waiting.completeExceptionally(reason);
    }
  }

  private static Map<String, Long> offered(String target, EntryData entry) {
    Map<String, Long> all = new HashMap<>(entry.lineage());
    all.put(target, entry.version());
    return all;
  }

  private EntryData read(String target, Map<String, Long> needed) {
    EntryData known = carried.get(target);
    if (known != null && Lineage.satisfies(offered(target, known), needed)) {
      meters.read(true);
      return known;
    }
    meters.read(false);
    // What this compute waits on is known before the read leaves: a cycle probe that arrives
    // while the read is in flight must find it, or two computes waiting on each other go unseen.
    CompletableFuture<EntryData> reply = new CompletableFuture<>();
    pending = reply;
    reading = target;
    client.ask(target, replyTo -> new KeyCommand.Read(self, path, needed, replyTo))
        .whenComplete((entry, error) -> {
          if (error != null) {
            reply.completeExceptionally(error);
          } else {
            reply.complete(entry);
          }
        });
    try {
      // Waiting for another product holds this thread but not its place in the pool: a chain of
      // products deeper than the pool's parallelism completes.
      ComputeExecutor.blockOn(() -> {
        try {
          return reply.get();
        } catch (ExecutionException ignored) {
          return null; // read below
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyUnavailableException(self, "Compute of key '" + self + "' was interrupted reading '" + target + "'", e);
    } catch (KckException e) {
      throw e;
    } catch (Exception e) {
      throw new KeyUnavailableException(self, "Compute of key '" + self + "' failed reading '" + target + "': " + e, e);
    } finally {
      reading = null;
      pending = null;
    }
    EntryData entry;
    try {
      entry = reply.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof KckException failure ? failure
          : new KeyUnavailableException(target, "Key '" + self + "' could not read '" + target + "': " + e.getCause(), e.getCause());
    }
    if (entry.value() == null) {
      throw new KeyUnavailableException(target, "Key '" + target + "' answered a read from '" + self + "' without a value", null);
    }
    return entry;
  }

  private DependencyCycleException cycle(List<String> keys) {
    return new DependencyCycleException(
        self,
        "Dependency cycle: " + String.join(" -> ", keys)
            + " (a product may not read itself, directly or through other products)");
  }
}
