package io.kck;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Source;
import io.kck.entity.EntryData;
import io.kck.entity.ServedEntry;
import io.kck.entity.node.Engine;
import io.kck.errors.InvalidKeyException;
import io.kck.errors.InvalidValueException;
import io.kck.errors.KckException;
import io.kck.errors.KeyUnavailableException;
import io.kck.errors.NotCachedException;
import io.kck.errors.UnknownPrimerException;
import io.kck.primer.Key;
import io.kck.primer.KeyHook;
import io.kck.primer.Primer;
import io.kck.primer.ValueFreshness;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The library's front door: ask for data products by key, refresh, invalidate, put and augment
 * them, and listen to their updates.
 *
 * <pre>{@code
 * ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "shop", config);
 * Kck kck = Kck.start(system, registerSales);
 * RegisterDay day = kck.blocking().get(registerSales.key(7, LocalDate.of(2026, 11, 2)));
 * }</pre>
 *
 * <p><b>Keys.</b> Every operation takes a {@link Key} ({@code primer.key(values...)}, typed by the
 * primer's value type) or, as a shortcut, its text ({@code "register-sales/7/2026-11-02"}, answered
 * untyped); {@link #key(String)} is the one way to parse text into a key.
 *
 * <p><b>Keys as actors.</b> Each key is a Cluster Sharding entity that owns its value, its version
 * and its computed-at time, persisted to PostgreSQL. Every method sends at most one request to the
 * key's actor and returns at once; nothing here blocks the calling thread ({@link #blocking()} is
 * the view that does). A get of a fresh key that lives on this node is answered without a message.
 *
 * <p><b>Failures.</b> A method that returns a stage never throws: every problem fails the stage
 * with a {@link KckException} whose {@link KckException#kind() kind} says what went wrong. Bad
 * input (a null or unparsable key, a key of no registered primer, a null value or one of the wrong
 * type) fails it at once, before any actor is involved, and starts none. Methods that return
 * something else say what they throw.
 *
 * <p><b>Returned stages</b> are {@link CompletableFuture}s whose async methods without an explicit
 * executor ({@code thenApplyAsync(fn)}) run on the ActorSystem's default dispatcher, not on the
 * JDK's common pool (which on small machines starts a thread per task). Callbacks attached with
 * the plain methods ({@code thenApply(fn)}) may run on KCK's threads: never block in them. A get
 * answered from this node's copy of a fresh entry (a hit) returns a stage that is already complete
 * and shared by every hit on that entry until the key publishes its next one, as a cache hands out
 * the future it holds; its {@code obtrudeValue} and {@code obtrudeException} throw {@link
 * UnsupportedOperationException}.
 *
 * <p>Thread-safe; one instance per ActorSystem (starting twice on a system fails).
 */
public final class Kck {
  private final Engine engine;
  private final Executor callbacks;
  private final KckBlocking blocking;
  private final KckAdmin admin;
  // What a hit answers, made once per published entry (see ServedEntry): no hit allocates.
  private final BiFunction<Primer<?>, EntryData, CompletionStage<Object>> valueAnswers =
      (primer, data) -> sharedAnswer(() -> hitValue(primer, data));
  private final BiFunction<Primer<?>, EntryData, CompletionStage<Entry<Object>>>
      entryAnswers = (primer, data) -> sharedAnswer(() -> entryOf(hitValue(primer, data), data));

  private Kck(Engine engine, CompositeMeterRegistry meters) {
    this.engine = engine;
    this.callbacks = engine.system().executionContext();
    this.blocking = new KckBlocking(this, engine.keys().timeout());
    this.admin = new KckAdmin(this, engine, meters);
  }

  /** Starts KCK on {@code system} with these primers; see {@link Builder#start()}. */
  public static Kck start(ActorSystem<?> system, Primer<?>... primers) {
    return builder(system).primers(primers).start();
  }

  /** Starts KCK on {@code system} with these primers; see {@link Builder#start()}. */
  public static Kck start(ActorSystem<?> system, Collection<? extends Primer<?>> primers) {
    return builder(system).primers(primers).start();
  }

  /** A builder, for what {@link #start} does not take: the clock. */
  public static Builder builder(ActorSystem<?> system) {
    return new Builder(Objects.requireNonNull(system, "The ActorSystem (parameter 'system') is null"));
  }

  /** Starts KCK with primers and, optionally, a clock. Not thread-safe; use it once. */
  public static final class Builder {
    private final ActorSystem<?> system;
    private final List<Primer<?>> primers = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry = Metrics.globalRegistry;

    private Builder(ActorSystem<?> system) {
      this.system = system;
    }

    /**
     * Adds primers to register.
     *
     * @throws NullPointerException naming the parameter if the collection or one of its primers is null
     */
    public Builder primers(Collection<? extends Primer<?>> primers) {
      Objects.requireNonNull(primers, "The primers (parameter 'primers') are null");
      int index = 0;
      for (Primer<?> primer : primers) {
        if (primer == null) {
          throw new NullPointerException("Primer " + index + " (parameter 'primers') is null");
        }
        index++;
      }
      this.primers.addAll(primers);
      return this;
    }

    /**
     * Adds primers to register.
     *
     * @throws NullPointerException naming the parameter if the array or one of its primers is null
     */
    public Builder primers(Primer<?>... primers) {
      return primers(Arrays.asList(Objects.requireNonNull(primers, "The primers (parameter 'primers') are null")));
    }

    /**
     * The clock that computed-at times, ages, backoff deadlines and stale-if-error limits are read
     * from (default: the system clock, UTC). Tests pass one they move together with Akka's manual
     * time, so that every deadline is theirs to drive.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where KCK records its meters (default: Micrometer's global registry, {@code
     * Metrics.globalRegistry}). They are tagged by primer, never by key; docs/operations.md
     * lists them. {@link KckAdmin#meters()} is where KCK records, to add more registries.
     */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Starts KCK: registers the primers (and those of {@code kck.primer-sources}), resolves every
     * {@code kck.*} setting, joins the node to its cluster (itself, when no seed nodes are
     * configured), creates the journal tables when absent (starting the embedded PostgreSQL first
     * when {@code kck.database.url} is empty), starts the key entities' sharding, then the
     * extensions of {@code kck.extensions} (the HTTP service when {@code kck.http.enabled}).
     * Blocks until the database answers, waiting for one that does not accept connections yet up
     * to {@code kck.database.start-timeout} (meanwhile {@link Kck#waitingForDatabase} says so).
     *
     * @throws IllegalStateException if {@code akka.actor.provider} is not {@code cluster}, if KCK
     *     is already started on this system, if the database cannot be reached within {@code
     *     kck.database.start-timeout}, or if the
     *     configuration asks for a feature whose optional jar is absent (the message names it)
     * @throws IllegalArgumentException if two primers share a name, or a setting is unknown or
     *     invalid (the message names its path)
     */
    public Kck start() {
      OptionalDependencies.check(system.settings().config());
      List<Primer<?>> all = new ArrayList<>(primers);
      all.addAll(Extensions.primerSources(system.settings().config()));
      CompositeMeterRegistry meters = new CompositeMeterRegistry();
      meters.add(meterRegistry);
      Kck kck = new Kck(Engine.start(system, all, clock, meters), meters);
      Extensions.start("io.kck.cluster.ClusterFormation", kck); // Cluster Bootstrap when kck.cluster.bootstrap = on
      Extensions.start(kck);
      return kck;
    }
  }

  /**
   * The health of a node on whose ActorSystem {@link Builder#start()} is still running because
   * KCK's database does not accept connections yet ({@code kck.database.start-timeout}): not ready,
   * its {@code database} check saying since when it waits. Empty when no start waits on {@code
   * system} (before and after that, ask {@link KckAdmin#health}). For readiness probes that run
   * while {@code Kck.start} blocks; thread-safe, never blocks.
   */
  public static Optional<Health> waitingForDatabase(ActorSystem<?> system) {
    return Engine.waitingForDatabase(Objects.requireNonNull(system, "system")).map(since -> new Health(List.of(
        new Health.Check("database", false, "KCK is starting and waits since " + since
            + " for its database to accept connections"))));
  }

  /**
   * The key named by {@code text} ({@code name/param1/param2...}, parameters percent-encoded where
   * needed), in canonical form: the one way to turn text into a key.
   *
   * @throws InvalidKeyException (or a subclass) naming the text and what is wrong with it
   */
  public Key<?> key(String text) {
    return engine.primers().parse(text);
  }

  /**
   * The value of {@code key}: at once when the key has one; otherwise after one compute, shared by
   * every caller that asks while it runs (single flight).
   *
   * <p>Fails with {@link io.kck.errors.ComputeFailedException} or {@link
   * io.kck.errors.ComputeTimeoutException} when the compute it waited for failed (every waiter of
   * that compute gets the same failure), and, while the key backs off after failed computes, at
   * once with the last failure; with {@link NotCachedException} when the primer does not compute on
   * a miss.
   *
   * <p>On a node that does not own the key, a primer with {@code near-cache = on} answers from this
   * node's copy: after a change acknowledged elsewhere it may answer the old value for as long as
   * the owner's message takes to arrive (at most {@code kck.near-cache.max-age} if it is lost);
   * after a write through this node, never.
   */
  public <V> CompletionStage<V> get(Key<V> key) {
    ServedEntry hit = localHit(key);
    if (hit != null) {
      @SuppressWarnings("unchecked") // the entry's key is this key, so its value is a V
      CompletionStage<V> answer = (CompletionStage<V>) hit.valueAnswer(valueAnswers);
      return answer;
    }
    return read(key, data -> value(key, data));
  }

  /** {@link #get(Key)} of the key named by {@code key}. */
  public CompletionStage<Object> get(String key) {
    ServedEntry hit = localHit(key); // by its canonical text, without parsing it
    return hit != null ? hit.valueAnswer(valueAnswers) : withKey(key, this::get);
  }

  /** Like {@link #get(Key)}, with the value's version and computed-at time. */
  public <V> CompletionStage<Entry<V>> getEntry(Key<V> key) {
    ServedEntry hit = localHit(key);
    if (hit != null) {
      @SuppressWarnings("unchecked") // the entry's key is this key, so its value is a V
      CompletionStage<Entry<V>> answer = (CompletionStage<Entry<V>>) (CompletionStage<?>) hit.entryAnswer(entryAnswers);
      return answer;
    }
    return read(key, data -> entry(key, data));
  }

  /** {@link #getEntry(Key)} of the key named by {@code key}. */
  public CompletionStage<Entry<Object>> getEntry(String key) {
    ServedEntry hit = localHit(key);
    return hit != null ? hit.entryAnswer(entryAnswers) : withKey(key, this::getEntry);
  }

  /**
   * The key's value if it has one, without ever computing: empty when it has none (never computed,
   * invalidated), whatever the primer's miss policy. A value that is stale by its freshness policy
   * is answered as a get would (it may wait for a refresh that is due).
   *
   * <p>A key that has never been written is answered empty without starting its actor: KCK asks
   * the journal first (one indexed query, skipped for keys live on this node and keys found
   * before), so reads of made-up keys cost no memory and no state. Fails with {@link
   * io.kck.errors.OverloadedException} when too many such queries wait.
   *
   * <p>A key of a shard this node hosts whose actor is not running, and whose journal holds a
   * fresh value, is answered from the journal without starting its actor, as a get is
   * ({@code kck.read-tier.bulk-load}).
   */
  public <V> CompletionStage<Optional<V>> getIfPresent(Key<V> key) {
    return ifPresent(key, data -> value(key, data));
  }

  /** {@link #getIfPresent(Key)} of the key named by {@code key}. */
  public CompletionStage<Optional<Object>> getIfPresent(String key) {
    return withKey(key, this::getIfPresent);
  }

  /** Like {@link #getIfPresent(Key)}, with the value's version and computed-at time. */
  public <V> CompletionStage<Optional<Entry<V>>> getEntryIfPresent(Key<V> key) {
    return ifPresent(key, data -> entry(key, data));
  }

  /** {@link #getEntryIfPresent(Key)} of the key named by {@code key}. */
  public CompletionStage<Optional<Entry<Object>>> getEntryIfPresent(String key) {
    return withKey(key, this::getEntryIfPresent);
  }

  private <V, T> CompletionStage<Optional<T>> ifPresent(Key<V> key, Function<EntryData, T> onOk) {
    ServedEntry local = localHit(key);
    if (local != null) {
      return completed(Optional.of(onOk.apply(local.data())));
    }
    return ask(key, engine::getIfPresent, found -> found.map(onOk));
  }

  /**
   * Gets many keys in parallel (as many gets, each its own single flight): completes when every
   * key has answered, with one {@link KeyResult} per key in the order given (a key given twice is
   * answered twice). A key that fails yields its own error; the call itself never fails. The keys
   * of a primer with a {@link io.kck.primer.BatchCompute} that need a compute are computed together,
   * a batch per batch size on each node that owns some of them.
   */
  public <V> CompletionStage<List<KeyResult<V>>> getAll(Collection<? extends Key<? extends V>> keys) {
    if (keys == null) {
      return failed(new InvalidKeyException("null", "The collection of keys (parameter 'keys') is null"));
    }
    List<CompletableFuture<KeyResult<V>>> results = new ArrayList<>(keys.size());
    for (Key<? extends V> key : keys) {
      String text = key == null ? "null" : key.text();
      results.add(getEntry(key).handle((entry, error) -> error == null
          ? KeyResult.<V>ok(text, widen(entry))
          : KeyResult.<V>failed(text, asKckException(text, error))).toCompletableFuture());
    }
    KckFuture<List<KeyResult<V>>> all = new KckFuture<>(callbacks);
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .whenComplete((ignored, error) -> all.complete(results.stream().map(CompletableFuture::join).toList()));
    return all;
  }

  /**
   * Recomputes the key now and answers with a value whose compute started after this call: a
   * refresh never returns a compute that was already running when it arrived. Refreshes that arrive
   * together share one compute. A refresh runs even while the key backs off after failures. Fails
   * like {@link #get(Key)}; on failure the key keeps its previous value.
   */
  public <V> CompletionStage<V> refresh(Key<V> key) {
    return ask(key, engine::refresh, data -> value(key, data));
  }

  /** {@link #refresh(Key)} of the key named by {@code key}. */
  public CompletionStage<Object> refresh(String key) {
    return withKey(key, this::refresh);
  }

  /** Like {@link #refresh(Key)}, with the new value's version and computed-at time. */
  public <V> CompletionStage<Entry<V>> refreshEntry(Key<V> key) {
    return ask(key, engine::refresh, data -> entry(key, data));
  }

  /** {@link #refreshEntry(Key)} of the key named by {@code key}. */
  public CompletionStage<Entry<Object>> refreshEntry(String key) {
    return withKey(key, this::refreshEntry);
  }

  /**
   * Drops the key's value: the next get computes. The version is kept (the next value gets a
   * higher one). A compute running when the invalidation arrives is not used: callers waiting for
   * it get the next compute instead. Completes once the invalidation is persisted; ends any failure
   * backoff. Dependents are told, as of a change.
   */
  public CompletionStage<Void> invalidate(Key<?> key) {
    return ask(key, engine::invalidate, data -> null);
  }

  /** {@link #invalidate(Key)} of the key named by {@code key}. */
  public CompletionStage<Void> invalidate(String key) {
    return withKey(key, this::invalidate);
  }

  /**
   * Stores {@code value} as the key's new value, with the next version: an authoritative import
   * from outside. Completes with the stored entry once it is persisted in PostgreSQL; a put that
   * completed is never lost. A compute running when the put arrives is discarded when it ends, and
   * every caller waiting for a value receives the put value.
   *
   * <p>The value is written as JSON on the calling thread: one that is null, not of the primer's
   * value type, that Jackson cannot write, or whose JSON is longer than {@code kck.max-value-bytes}
   * (the message names the limit and the size) fails the stage with {@link InvalidValueException},
   * and nothing is sent.
   */
  public <V> CompletionStage<Entry<V>> put(Key<V> key, V value) {
    return ask(key, registered -> engine.put(registered, value), data -> entry(key, data));
  }

  /**
   * {@link #put(Key, Object)} with the value's own {@code freshness}, instead of its primer's, for
   * this value only (see {@link ValueFreshness}); a relative one counts from this call, on the node's
   * clock.
   *
   * @throws NullPointerException if {@code freshness} is null
   */
  public <V> CompletionStage<Entry<V>> put(Key<V> key, V value, ValueFreshness freshness) {
    Objects.requireNonNull(freshness, () -> "A put into '" + key + "' needs a freshness, got null");
    return ask(key, registered -> engine.put(registered, value, freshness, OptionalLong.empty()),
        data -> entry(key, data));
  }

  /** {@link #put(Key, Object)} into the key named by {@code key}; the value must be of its primer's type. */
  public CompletionStage<Entry<Object>> put(String key, Object value) {
    return withKey(key, parsed -> put(parsed, value));
  }

  /**
   * Like {@link #put(Key, Object)}, only if the key's value is still at {@code expectedVersion}
   * (optimistic concurrency, like {@link #augment(Key, Object, long)}): the key checks it as it takes
   * the put, so of two puts expecting one version exactly one succeeds. Otherwise fails with {@link
   * io.kck.errors.VersionConflictException}, naming both versions (or that the key has no value),
   * and writes nothing. A version below 1 fails with {@link InvalidValueException} (a key has a
   * value only from version 1 on).
   */
  public <V> CompletionStage<Entry<V>> put(Key<V> key, V value, long expectedVersion) {
    if (expectedVersion < 1 && key != null) {
      return failed(new InvalidValueException(key.text(),
          "Cannot put key '" + key + "': the expected version must be 1 or more, got " + expectedVersion, null));
    }
    return ask(key, registered -> engine.put(registered, value, null, OptionalLong.of(expectedVersion)),
        data -> entry(key, data));
  }

  /** {@link #put(Key, Object, long)} into the key named by {@code key}. */
  public CompletionStage<Entry<Object>> put(String key, Object value, long expectedVersion) {
    return withKey(key, parsed -> put(parsed, value, expectedVersion));
  }

  /**
   * Updates the key's value in place with {@code delta}, by its primer's {@link
   * io.kck.primer.Augment} function, as a new version: only the delta is journaled. Completes with
   * the new version once the delta is journaled. Dependents hear of it like of any new value (and
   * may follow it with a delta of their own). A compute of the key that is running meanwhile does
   * not lose it: its result gets the delta applied on top.
   *
   * <p>Fails, with nothing applied, with {@link InvalidValueException} when the primer declares no
   * augment, the delta is null or not of its delta type, the augment function rejects it, or the
   * delta or the value it makes is longer, as JSON, than {@code kck.max-value-bytes}; with {@link
   * io.kck.errors.NothingToAugmentException} when the key has no value (augment never computes: a
   * compute now might already include the delta's data); and like {@link #put} when the journal
   * fails.
   */
  public CompletionStage<Long> augment(Key<?> key, Object delta) {
    return augment(key, delta, OptionalLong.empty());
  }

  /** {@link #augment(Key, Object)} of the key named by {@code key}. */
  public CompletionStage<Long> augment(String key, Object delta) {
    return withKey(key, parsed -> augment(parsed, delta));
  }

  /**
   * Like {@link #augment(Key, Object)}, only if the key's value is still at {@code expectedVersion}
   * (optimistic concurrency): otherwise fails with {@link io.kck.errors.VersionConflictException},
   * naming both versions, and applies nothing. A version below 1 fails with {@link
   * InvalidValueException} (a key has a value only from version 1 on).
   */
  public CompletionStage<Long> augment(Key<?> key, Object delta, long expectedVersion) {
    if (expectedVersion < 1 && key != null) {
      return failed(new InvalidValueException(key.text(),
          "Cannot augment key '" + key + "': the expected version must be 1 or more, got " + expectedVersion, null));
    }
    return augment(key, delta, OptionalLong.of(expectedVersion));
  }

  /** {@link #augment(Key, Object, long)} of the key named by {@code key}. */
  public CompletionStage<Long> augment(String key, Object delta, long expectedVersion) {
    return withKey(key, parsed -> augment(parsed, delta, expectedVersion));
  }

  private CompletionStage<Long> augment(Key<?> key, Object delta, OptionalLong expectedVersion) {
    return ask(key, registered -> engine.augment(registered, delta, expectedVersion), EntryData::version);
  }

  /**
   * Keeps {@code key} warm from now on, across passivation and restarts: it is computed now if it
   * has no value, and (with a periodic primer) refreshed by its timer whether or not anybody asks.
   * Completes once the key is recorded in the warm set (persisted). Idempotent. Fails with {@link
   * io.kck.errors.OverloadedException} when the set already holds {@code
   * kck.freshness.max-warm-keys} keys.
   */
  public CompletionStage<Void> keepWarm(Key<?> key) {
    return withRegistered(key, () -> engine.keepWarm(key));
  }

  /** {@link #keepWarm(Key)} of the key named by {@code key}. */
  public CompletionStage<Void> keepWarm(String key) {
    return withKey(key, this::keepWarm);
  }

  /**
   * Stops keeping {@code key} warm: it stays as it is, but once idle it passivates and its timer
   * stops with it. Keys of a primer that keeps its keys warm ({@link Primer#keepsKeysWarm()}) join
   * the warm set again when they get a new value.
   */
  public CompletionStage<Void> stopKeepingWarm(Key<?> key) {
    return withRegistered(key, () -> engine.stopKeepingWarm(key));
  }

  /** {@link #stopKeepingWarm(Key)} of the key named by {@code key}. */
  public CompletionStage<Void> stopKeepingWarm(String key) {
    return withKey(key, this::stopKeepingWarm);
  }

  /** The canonical keys kept warm now. */
  public CompletionStage<Set<String>> warmKeys() {
    KckFuture<Set<String>> result = new KckFuture<>(callbacks);
    engine.warmKeys().whenComplete((keys, error) -> {
      if (error != null) {
        result.completeExceptionally(new KeyUnavailableException("kck-warm-keys", "The warm-key registry did not answer: " + error, error));
      } else {
        result.complete(keys);
      }
    });
    return result;
  }

  /**
   * Calls {@code listener} with the key's current value (when it has one) and then with every new
   * version, in order, each once: whether it was computed, put, augmented, or recomputed because a
   * product it reads changed. Callbacks run one at a time on an actor of this node; keep them short.
   * A callback that throws is logged and the subscription goes on.
   *
   * <p>The subscription follows the key across passivation and across nodes: when the key's actor
   * stops or its node is lost, it watches the key again (at once, or within {@code
   * kck.freshness.wake-interval}). Versions written while it was detached and already replaced are
   * skipped; versions never go backwards.
   *
   * @throws UnknownPrimerException if the key's primer is not registered here
   */
  public <V> Subscription subscribe(Key<V> key, Consumer<? super Entry<V>> listener) {
    Objects.requireNonNull(listener, "listener");
    requireRegistered(key);
    Runnable cancel = engine.subscribe(key, data -> listener.accept(entry(key, data)));
    return cancel::run;
  }

  /**
   * {@link #subscribe(Key, Consumer)} to the key named by {@code key}.
   *
   * @throws InvalidKeyException if the text is not a key of a registered primer
   */
  public Subscription subscribe(String key, Consumer<? super Entry<Object>> listener) {
    @SuppressWarnings("unchecked")
    Key<Object> parsed = (Key<Object>) key(key);
    return subscribe(parsed, listener);
  }

  /**
   * The key's updates as an Akka Streams source: the current value, then every new version in
   * order (see {@link #subscribe(Key, Consumer)}). Each materialization is its own subscription,
   * ended when the stream completes or is cancelled. A consumer that falls more than 1,024 versions
   * behind fails the stream with a {@link KeyUnavailableException} rather than silently missing
   * versions.
   *
   * @throws UnknownPrimerException if the key's primer is not registered here
   */
  public <V> Source<Entry<V>, NotUsed> updates(Key<V> key) {
    requireRegistered(key);
    int buffer = 1024;
    return Source.<Entry<V>>queue(buffer)
        .mapMaterializedValue(queue -> subscribe(key, entry -> {
          if (!(queue.offer(entry) instanceof QueueOfferResult.Enqueued$)) {
            queue.fail(new KeyUnavailableException(key.text(),
                "A stream of key '" + key + "' fell more than " + buffer + " versions behind", null));
          }
        }))
        .watchTermination((subscription, done) -> {
          done.whenComplete((ignored, error) -> subscription.close());
          return NotUsed.getInstance();
        });
  }

  /**
   * {@link #updates(Key)} of the key named by {@code key}.
   *
   * @throws InvalidKeyException if the text is not a key of a registered primer
   */
  public Source<Entry<Object>, NotUsed> updates(String key) {
    @SuppressWarnings("unchecked")
    Key<Object> parsed = (Key<Object>) key(key);
    return updates(parsed);
  }

  /**
   * Adds a hook for the keys of {@code primer} on this node: see {@link KeyHook} (it runs where
   * the key lives, so register it on every node). Closing the returned handle removes it.
   *
   * @throws UnknownPrimerException if the primer is not registered here
   */
  public Subscription addHook(Primer<?> primer, KeyHook hook) {
    Objects.requireNonNull(primer, "primer");
    Objects.requireNonNull(hook, "hook");
    if (!engine.primers().contains(primer)) {
      throw engine.primers().find(primer.name()).isPresent()
          ? UnknownPrimerException.notTheRegistered(primer.name(), primer.name())
          : new UnknownPrimerException(primer.name(), primer.name());
    }
    Runnable remove = engine.addHook(primer, hook);
    return remove::run;
  }

  /** The registered primers, in registration order. */
  public Collection<Primer<?>> primers() {
    return engine.primers().primers();
  }

  /** The ActorSystem KCK runs on. */
  public ActorSystem<?> system() {
    return engine.system();
  }

  /**
   * The same operations, blocking: they return values and throw {@link KckException}s directly
   * (like Caffeine's {@code synchronous()} view). For code that blocks anyway: a main method, a
   * JDBC-style service, a test.
   */
  public KckBlocking blocking() {
    return blocking;
  }

  /** Advanced access for operations: what a key's actor is doing, which keys live on this node. */
  public KckAdmin admin() {
    return admin;
  }

  /** The entry this node may answer a get of {@code key} from without asking; null when the get must ask. */
  private @Nullable ServedEntry localHit(@Nullable Key<?> key) {
    return key == null ? null : engine.hit(key);
  }

  /** The same, by a key's canonical text (other spellings of it miss, and are parsed). */
  private @Nullable ServedEntry localHit(@Nullable String text) {
    return text == null ? null : engine.hit(text);
  }

  /** A get that was no local hit (its caller looked). */
  private <T> CompletionStage<T> read(Key<?> key, Function<EntryData, T> onOk) {
    return ask(key, engine::get, onOk);
  }

  /**
   * {@code request} of a key of a registered primer, its answer made into {@code onOk}'s on a
   * stage of KCK's; bad input fails the stage at once.
   */
  private <R, T> CompletionStage<T> ask(Key<?> key, Function<Key<?>, CompletionStage<R>> request, Function<R, T> onOk) {
    return withRegistered(key, () -> {
      KckFuture<T> result = new KckFuture<>(callbacks);
      request.apply(key).whenComplete((answer, error) -> {
        if (error != null) {
          result.completeExceptionally(asKckException(key.text(), error));
          return;
        }
        try {
          result.complete(onOk.apply(answer));
        } catch (KckException e) {
          result.completeExceptionally(e);
        }
      });
      return result;
    });
  }

  private <V> V value(Key<V> key, EntryData data) {
    @SuppressWarnings("unchecked")
    V value = (V) engine.value(key.primer(), data);
    return value;
  }

  <V> Entry<V> entry(Key<V> key, EntryData data) {
    return entryOf(value(key, data), data);
  }

  /** The value of a hit's entry (of a key of {@code primer}). */
  private Object hitValue(Primer<?> primer, EntryData data) {
    return engine.value(primer, data);
  }

  private static <V> Entry<V> entryOf(V value, EntryData data) {
    return new Entry<>(data.key(), value, data.version(), data.computedAt(), data.stale(),
        data.refreshing(), data.lastError(), data.nextAttemptAt(), data.freshUntil());
  }

  @SuppressWarnings("unchecked")
  private static <V> Entry<V> widen(Entry<? extends V> entry) {
    return (Entry<V>) entry;
  }

  boolean registered(Key<?> key) {
    return engine.primers().contains(key.primer());
  }

  /** Why {@code key}, of no registered primer, is refused: no primer of that name, or another object of it. */
  UnknownPrimerException unregistered(Key<?> key) {
    String name = key.primer().name();
    return engine.primers().find(name).isPresent()
        ? UnknownPrimerException.notTheRegistered(key.text(), name)
        : new UnknownPrimerException(key.text(), name);
  }

  private void requireRegistered(Key<?> key) {
    Objects.requireNonNull(key, "key");
    if (!registered(key)) {
      throw unregistered(key);
    }
  }

  /** Runs {@code action} for a key of a registered primer; anything else fails the stage. */
  private <T> CompletionStage<T> withRegistered(@Nullable Key<?> key, Supplier<CompletionStage<T>> action) {
    if (key == null) {
      return failed(nullKey());
    }
    if (!registered(key)) {
      return failed(unregistered(key));
    }
    try {
      return action.get();
    } catch (KckException e) {
      return failed(e);
    }
  }

  private <T> CompletionStage<T> withKey(@Nullable String text, Function<Key<Object>, CompletionStage<T>> action) {
    if (text == null) {
      return failed(nullKey());
    }
    Key<Object> key;
    try {
      @SuppressWarnings("unchecked")
      Key<Object> parsed = (Key<Object>) engine.primers().parse(text);
      key = parsed;
    } catch (KckException e) {
      return failed(e);
    }
    return action.apply(key);
  }

  private static InvalidKeyException nullKey() {
    return new InvalidKeyException("null", "The key (parameter 'key') is null");
  }

  private <T> CompletionStage<T> completed(T value) {
    KckFuture<T> future = new KckFuture<>(callbacks);
    future.complete(value);
    return future;
  }

  /** A hit's answer, shared by every hit on its entry; a value that cannot be read fails it. */
  private <T> CompletionStage<T> sharedAnswer(Supplier<T> answer) {
    SharedAnswer<T> future = new SharedAnswer<>(callbacks);
    try {
      future.complete(answer.get());
    } catch (KckException e) {
      future.completeExceptionally(e);
    }
    return future;
  }

  <T> CompletionStage<T> failed(KckException error) {
    KckFuture<T> future = new KckFuture<>(callbacks);
    future.completeExceptionally(error);
    return future;
  }

  static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  static KckException asKckException(String key, Throwable error) {
    Throwable cause = unwrap(error);
    return cause instanceof KckException kck ? kck
        : new KeyUnavailableException(key, "Request to key '" + key + "' failed: " + cause, cause);
  }

  /** A CompletableFuture whose default async executor is the ActorSystem's dispatcher. */
  static class KckFuture<T> extends CompletableFuture<T> {
    private final Executor executor;

    KckFuture(Executor executor) {
      this.executor = executor;
    }

    @Override
    public Executor defaultExecutor() {
      return executor;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new KckFuture<>(executor);
    }
  }

  /** A completed answer that every hit on one entry shares: nobody may replace its outcome. */
  static final class SharedAnswer<T> extends KckFuture<T> {
    SharedAnswer(Executor executor) {
      super(executor);
    }

    @Override
    public void obtrudeValue(T value) {
      throw new UnsupportedOperationException("A hit's answer is shared by every caller: it cannot be obtruded");
    }

    @Override
    public void obtrudeException(Throwable error) {
      throw new UnsupportedOperationException("A hit's answer is shared by every caller: it cannot be obtruded");
    }
  }
}
