package io.kck;

import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.Join;
import akka.cluster.typed.SingletonActor;
import akka.pattern.AskTimeoutException;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Source;
import com.typesafe.config.Config;
import io.kck.entity.ComputeExecutor;
import io.kck.entity.EntitySettings;
import io.kck.entity.EntryData;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyEntity;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyRuntime;
import io.kck.entity.KeySubscriber;
import io.kck.entity.OverflowResponder;
import io.kck.entity.WarmKeys;
import io.kck.persistence.StoredValue;
import io.kck.persistence.ValueCodec;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.PrimerRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library's front door: ask for data products by key, refresh, invalidate and put them.
 *
 * <pre>{@code
 * ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "app");
 * Kck kck = Kck.start(system, new DailySales());
 * SalesDay day = kck.get(DAILY_SALES.key(7, LocalDate.of(2026, 11, 2))).toCompletableFuture().join();
 * }</pre>
 *
 * <p><b>Keys as actors.</b> Each key is a Cluster Sharding entity that owns its value, its
 * version and its computed-at time, persisted to PostgreSQL. Every method here sends one request
 * to the key's actor and returns at once; nothing blocks the calling thread.
 *
 * <p><b>Validation.</b> Every method validates the key (and the value, for {@link #put}) before
 * anything is sent: bad input fails the returned stage with an {@link InvalidKeyException} (or
 * {@link InvalidValueException}) naming the key and what was wrong, and starts no actor.
 *
 * <p><b>Returned stages</b> are {@link CompletableFuture}s whose async methods without an explicit
 * executor ({@code thenApplyAsync(fn)}) run on the ActorSystem's default dispatcher, not on the
 * JDK's common pool (which on small machines starts a thread per task). Callbacks attached with
 * the plain methods ({@code thenApply(fn)}) run on the thread that completes the stage, which may
 * be one of KCK's: never block in them; use the async variants for slow work. They fail with a {@link
 * KckException} subclass: {@link ComputeFailedException}, {@link ComputeTimeoutException}, {@link
 * KeyUnavailableException}, {@link OverloadedException}, {@link KckTimeoutException}.
 *
 * <p>Thread-safe; one instance per ActorSystem ({@link #start} twice on a system fails).
 */
public final class Kck {
  private static final Logger log = LoggerFactory.getLogger(Kck.class);
  // By identity: ActorSystems of one cluster share a name and compare equal by their path.
  private static final Map<ActorSystem<?>, Kck> started =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

  private final ActorSystem<?> system;
  private final PrimerRegistry primers;
  private final KeyRuntime runtime;
  private final ClusterSharding sharding;
  private final Duration requestTimeout;
  private final Executor callbackExecutor;
  private final java.util.concurrent.atomic.AtomicLong subscriptions = new java.util.concurrent.atomic.AtomicLong();

  private Kck(ActorSystem<?> system, PrimerRegistry primers, KeyRuntime runtime, Duration requestTimeout) {
    this.system = system;
    this.primers = primers;
    this.runtime = runtime;
    this.sharding = ClusterSharding.get(system);
    this.requestTimeout = requestTimeout;
    this.callbackExecutor = system.executionContext();
  }

  /** Starts KCK on {@code system} with these primers. See {@link #start(ActorSystem, Collection)}. */
  public static Kck start(ActorSystem<?> system, Primer<?>... primers) {
    return start(system, List.of(primers));
  }

  /**
   * Starts KCK on {@code system}: registers the primers, joins the node to itself when no seed
   * nodes are configured ({@code kck.cluster.join-self}), creates the journal tables when absent
   * (starting the embedded PostgreSQL first when {@code kck.database.url} is empty), and starts
   * the key entities' sharding. Blocks until the database answers.
   *
   * @throws IllegalStateException if {@code akka.actor.provider} is not {@code cluster}, if KCK is
   *     already started on this system, or if the database cannot be reached
   * @throws IllegalArgumentException if two primers share a name or a setting is invalid
   */
  public static Kck start(ActorSystem<?> system, Collection<? extends Primer<?>> primers) {
    Config config = system.settings().config();
    String provider = config.getString("akka.actor.provider");
    if (!provider.equals("cluster") && !provider.equals("akka.cluster.ClusterActorRefProvider")) {
      throw new IllegalStateException(
          "KCK keeps each key in a Cluster Sharding entity: set akka.actor.provider = cluster"
              + " (found '" + provider + "'); see conf/application.conf");
    }
    List<Primer<?>> all = new java.util.ArrayList<>(primers);
    all.addAll(io.kck.sql.SqlPrimer.fromConfig(config));
    PrimerRegistry registry = PrimerRegistry.of(all);
    EntitySettings settings = EntitySettings.fromConfig(config);
    Duration requestTimeout = config.getDuration("kck.request-timeout");
    if (started.containsKey(system)) {
      throw new IllegalStateException("KCK is already started on ActorSystem " + system.name());
    }

    joinCluster(system, config);
    if (config.getBoolean("kck.database.create-schema")) {
      createSchema(system);
    }

    ComputeExecutor executor = ComputeExecutor.fromConfig(config.getConfig("kck.compute"));
    ActorRef<WarmKeys.Command> warmKeys =
        ClusterSingleton.get(system)
            .init(SingletonActor.of(WarmKeys.create(registry, settings.wakeInterval()), "kck-warm-keys"));
    KeyRuntime runtime =
        new KeyRuntime(
            registry,
            JacksonObjectMapperProvider.get(system).getOrCreate("kck-values", Optional.empty()),
            executor,
            settings,
            warmKeys,
            ClusterSharding.get(system),
            requestTimeout);
    Kck kck = new Kck(system, registry, runtime, requestTimeout);
    if (started.putIfAbsent(system, kck) != null) {
      executor.close();
      throw new IllegalStateException("KCK is already started on ActorSystem " + system.name());
    }
    system.getWhenTerminated().thenRun(() -> {
      executor.close();
      started.remove(system);
    });

    system.systemActorOf(OverflowResponder.create(), "kck-overflow", Props.empty());
    kck.sharding.init(
        Entity.of(KeyEntity.TYPE_KEY, entity -> KeyEntity.create(entity.getEntityId(), runtime))
            .withStopMessage(KeyCommand.Passivate.INSTANCE)
            .withEntityProps(DispatcherSelector.fromConfig("kck.entity-dispatcher"))
            .withSettings(ClusterShardingSettings.fromConfig(config.getConfig("kck.sharding"))));
    for (Primer<?> primer : registry.primers()) {
      for (Key<?> warm : primer.warmKeys()) {
        warmKeys.tell(new WarmKeys.Add(warm.text(), null));
      }
    }
    log.info("KCK started on {} with primers {}", system.name(), registry.primers());
    if (config.getBoolean("kck.http.enabled")) {
      io.kck.http.KckHttp.start(kck).whenComplete((binding, error) -> {
        if (error != null) {
          log.error("KCK's HTTP service did not start (kck.http)", error);
        } else {
          log.info("KCK's HTTP service listens on http://{}", binding.localAddress());
        }
      });
    }
    return kck;
  }

  /** Joins kck.cluster.seed-nodes, or this node itself when no seed nodes are configured. */
  private static void joinCluster(ActorSystem<?> system, Config config) {
    Cluster cluster = Cluster.get(system);
    String seeds = config.getString("kck.cluster.seed-nodes").trim();
    if (!seeds.isEmpty()) {
      List<akka.actor.Address> addresses = new java.util.ArrayList<>();
      for (String seed : seeds.split(",")) {
        try {
          addresses.add(akka.actor.AddressFromURIString.parse(seed.trim()));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException(
              "kck.cluster.seed-nodes: '" + seed.trim() + "' is not an Akka address like akka://"
                  + system.name() + "@host:25520", e);
        }
      }
      cluster.manager().tell(new akka.cluster.typed.JoinSeedNodes(addresses));
    } else if (config.getBoolean("kck.cluster.join-self") && config.getList("akka.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  private static void createSchema(ActorSystem<?> system) {
    try {
      SchemaUtils.createIfNotExists(KeyEntity.JOURNAL_PLUGIN, system).toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "KCK cannot create its tables in PostgreSQL (kck.database): " + cause, cause);
    }
  }

  /**
   * The value of {@code key}: at once when the key has one; otherwise after one compute, shared
   * by every caller that asks while it runs (single flight).
   *
   * <p>Fails with {@link InvalidKeyException} (or a subclass) when the text is not a valid key of
   * a registered primer; with {@link ComputeFailedException} or {@link ComputeTimeoutException}
   * when the compute this get waited for failed (every waiter of that compute gets the same
   * failure); and, while the key backs off after failed computes, at once with the last failure.
   *
   * @param key the key text, {@code name/param1/param2...}; it need not be canonical
   */
  public CompletionStage<Object> get(String key) {
    return withKey(key, this::get);
  }

  /** The value of {@code key}; see {@link #get(String)}. */
  public <V> CompletionStage<V> get(Key<V> key) {
    EntryData local = localHit(key);
    if (local != null) {
      return completed(valueOf(key, local));
    }
    return ask(key, KeyCommand.Get::new, data -> valueOf(key, data));
  }

  /**
   * The entry a key live on this node published while it is fresh (kck.entity.local-hits): what
   * its actor would answer at once, without the round trip. Null when the get must ask.
   */
  private EntryData localHit(Key<?> key) {
    EntryData local = runtime.localEntries().get(key.text());
    return local != null && registered(key) != null ? local : null;
  }

  private <T> CompletionStage<T> completed(T value) {
    KckFuture<T> future = new KckFuture<>(callbackExecutor);
    future.complete(value);
    return future;
  }

  /**
   * The value of the key of {@code primer} with these parameter values, in declaration order;
   * see {@link #get(String)}. Fails with {@link WrongParameterCountException} or {@link
   * InvalidParameterException} when the values do not fit the primer's parameters.
   */
  public <V> CompletionStage<V> get(Primer<V> primer, Object... parameterValues) {
    return withKey(primer, parameterValues, this::get);
  }

  /**
   * The key's value if it has one, without ever computing: empty when it has none (never computed,
   * invalidated), whatever the primer's miss policy. A value that is stale by its freshness policy
   * is answered as a get would (it may wait for a refresh that is due).
   */
  public <V> CompletionStage<Optional<V>> getIfPresent(Key<V> key) {
    CompletionStage<V> value = ask(key, replyTo -> new KeyCommand.Get(replyTo, false), data -> valueOf(key, data));
    return value.handle((found, error) -> {
      if (error == null) {
        return Optional.of(found);
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof NotCachedException) {
        return Optional.<V>empty();
      }
      throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
    });
  }

  /** See {@link #getIfPresent(Key)}. */
  public CompletionStage<Optional<Object>> getIfPresent(String key) {
    return withKey(key, this::getIfPresent);
  }

  /**
   * Gets many keys in one call, in parallel (as many gets, each its own single flight): completes
   * when every key has answered, with one {@link KeyResult} per key in the order given. A key that
   * is invalid or fails yields its own error element; the call itself never fails. Duplicate keys
   * are answered in each position.
   */
  public CompletionStage<List<KeyResult<Object>>> getAll(Collection<String> keys) {
    List<CompletableFuture<KeyResult<Object>>> results = new java.util.ArrayList<>(keys.size());
    for (String key : keys) {
      results.add(getEntry(key).handle((entry, error) -> error == null
          ? KeyResult.<Object>ok(key, entry)
          : KeyResult.<Object>failed(key, unwrap(key, error))).toCompletableFuture());
    }
    KckFuture<List<KeyResult<Object>>> all = new KckFuture<>(callbackExecutor);
    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .whenComplete((ignored, error) -> all.complete(results.stream().map(CompletableFuture::join).toList()));
    return all;
  }

  private static KckException unwrap(String key, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return cause instanceof KckException kck ? kck : new KckException(key, "Get of key '" + key + "' failed: " + cause, cause);
  }

  /** Like {@link #get(String)}, with the value's version and computed-at time. */
  public CompletionStage<Entry<Object>> getEntry(String key) {
    return withKey(key, this::getEntry);
  }

  /** Like {@link #get(Key)}, with the value's version and computed-at time. */
  public <V> CompletionStage<Entry<V>> getEntry(Key<V> key) {
    EntryData local = localHit(key);
    if (local != null) {
      return completed(toEntry(key, local));
    }
    return ask(key, KeyCommand.Get::new, data -> toEntry(key, data));
  }

  /**
   * Recomputes the key now and answers with a value whose compute started after this call: a
   * refresh never returns a compute that was already running when it arrived (it waits for the
   * next one). Refreshes that arrive together share one compute. A refresh runs even while the key
   * backs off after failures. Fails like {@link #get(String)}; on failure the key keeps its
   * previous value.
   */
  public CompletionStage<Object> refresh(String key) {
    return withKey(key, this::refresh);
  }

  /** See {@link #refresh(String)}. */
  public <V> CompletionStage<V> refresh(Key<V> key) {
    return ask(key, KeyCommand.Refresh::new, data -> valueOf(key, data));
  }

  /** Like {@link #refresh(Key)}, with the new value's version and computed-at time. */
  public <V> CompletionStage<Entry<V>> refreshEntry(Key<V> key) {
    return ask(key, KeyCommand.Refresh::new, data -> toEntry(key, data));
  }

  /**
   * Drops the key's value: the next get computes. The version is kept (the next value gets a
   * higher one). A compute running when the invalidation arrives is not used: callers waiting for
   * it get the next compute instead. Completes when the invalidation is persisted. Clears any
   * failure backoff.
   */
  public CompletionStage<Void> invalidate(String key) {
    return withKey(key, this::invalidate);
  }

  /** See {@link #invalidate(String)}. */
  public CompletionStage<Void> invalidate(Key<?> key) {
    return ask(key, KeyCommand.Invalidate::new, data -> null);
  }

  /**
   * Stores {@code value} as the key's new value, with the next version: an authoritative import
   * from outside. Completes with the stored entry once it is persisted in PostgreSQL; a put that
   * completed is never lost. A compute running when the put arrives is discarded when it ends,
   * and every caller waiting for a value receives the put value.
   *
   * <p>The value is written as JSON on the calling thread, so a value Jackson cannot write fails
   * here with {@link InvalidValueException}, as does a null value or one not of the primer's
   * value type.
   */
  public <V> CompletionStage<Entry<V>> put(Key<V> key, V value) {
    Primer<?> registered = registered(key);
    if (registered == null) {
      return failed(new UnknownPrimerException(key.text(), key.primer().name()));
    }
    ValueCodec codec = runtime.codec(registered);
    if (value == null || !codec.type().getRawClass().isInstance(value)) {
      return failed(
          new InvalidValueException(
              key.text(),
              "Cannot put into key '" + key + "': need a " + codec.type() + ", got "
                  + (value == null ? "null" : value.getClass().getName()),
              null));
    }
    StoredValue stored;
    try {
      stored = StoredValue.encoded(value, codec.encode(value));
    } catch (RuntimeException e) {
      return failed(
          new InvalidValueException(
              key.text(), "Cannot put into key '" + key + "': " + e.getMessage(), e));
    }
    return ask(key, replyTo -> new KeyCommand.Put(stored, replyTo), data -> toEntry(key, data));
  }

  /** Like {@link #put(Key, Object)}, with the key as text. */
  public CompletionStage<Entry<Object>> put(String key, Object value) {
    return withKey(key, parsed -> put(parsed, value));
  }

  /**
   * Like {@link #put(String, Object)}, with the value as JSON of the primer's value type (what the
   * HTTP API receives).
   *
   * <p>Fails with {@link InvalidValueException} when the JSON does not read as that type.
   */
  public CompletionStage<Entry<Object>> putJson(String key, byte[] json) {
    return withKey(key, parsed -> {
      Object value;
      try {
        value = runtime.codec(parsed.primer()).decode(json);
      } catch (RuntimeException e) {
        return failed(new InvalidValueException(parsed.text(),
            "Cannot put into key '" + parsed + "': the JSON is not a " + runtime.codec(parsed.primer()).type()
                + ": " + e.getMessage(), e));
      }
      return put(parsed, value);
    });
  }

  /**
   * Like {@link #augment(Key, Object, long)}, with the delta as JSON of the primer's delta type
   * (what the HTTP API receives); {@code expectedVersion} -1 for none.
   */
  public CompletionStage<Long> augmentJson(String key, byte[] json, long expectedVersion) {
    return withKey(key, parsed -> {
      ValueCodec deltas = runtime.deltaCodec(parsed.primer());
      if (deltas == null || registered(parsed) == null) {
        return augment(parsed, null, expectedVersion); // the same refusal as any augment
      }
      Object delta;
      try {
        delta = deltas.decode(json);
      } catch (RuntimeException e) {
        return failed(new InvalidValueException(parsed.text(),
            "Cannot augment key '" + parsed + "': the JSON is not a " + deltas.type() + ": " + e.getMessage(), e));
      }
      return augment(parsed, delta, expectedVersion);
    });
  }

  /** What this node's key actor is doing for {@code key} (diagnostics: status, edges, versions). */
  public CompletionStage<io.kck.entity.KeyStatus> inspect(Key<?> key) {
    KckFuture<io.kck.entity.KeyStatus> result = new KckFuture<>(callbackExecutor);
    entityRef(key).<io.kck.entity.KeyStatus>ask(KeyCommand.Inspect::new, requestTimeout)
        .whenCompleteAsync((status, error) -> {
          if (error != null) {
            result.completeExceptionally(translate(key, error));
          } else {
            result.complete(status);
          }
        }, Runnable::run);
    return result;
  }

  /**
   * Updates the key's value in place with {@code delta}, by its primer's {@link
   * io.kck.primer.Augment} function, as a new version: only the delta is journaled. Completes with
   * the new version once the delta is journaled. Dependents hear of it like of any new value (and
   * may follow it with a delta of their own). A compute of the key that is running meanwhile does
   * not lose it: its result gets the delta applied on top.
   *
   * <p>Fails, with nothing applied, with {@link InvalidValueException} when the primer declares no
   * augment, the delta is null or not of its delta type, or the augment function rejects it
   * (throws); with {@link NothingToAugmentException} when the key has no value (augment never
   * computes: a compute now might already include the delta's data); and like {@link #put} when the
   * journal fails.
   */
  public CompletionStage<Long> augment(Key<?> key, Object delta) {
    return augment(key, delta, KeyCommand.Augment.ANY_VERSION);
  }

  /**
   * Like {@link #augment(Key, Object)}, only if the key's value is still at {@code expectedVersion}
   * (optimistic concurrency): otherwise fails with {@link VersionConflictException}, naming both
   * versions, and applies nothing.
   */
  public CompletionStage<Long> augment(Key<?> key, Object delta, long expectedVersion) {
    if (expectedVersion < 0 && expectedVersion != KeyCommand.Augment.ANY_VERSION) {
      return failed(new InvalidValueException(key.text(),
          "Cannot augment key '" + key + "': the expected version must be 0 or more, got " + expectedVersion, null));
    }
    if (registered(key) == null) {
      return failed(new UnknownPrimerException(key.text(), key.primer().name()));
    }
    ValueCodec deltas = runtime.deltaCodec(key.primer());
    if (deltas == null) {
      return failed(new InvalidValueException(key.text(),
          "Cannot augment key '" + key + "': primer '" + key.primer().name() + "' declares no augment()", null));
    }
    if (delta == null || !deltas.type().getRawClass().isInstance(delta)) {
      return failed(new InvalidValueException(key.text(),
          "Cannot augment key '" + key + "': its deltas are " + deltas.type() + ", got "
              + (delta == null ? "null" : "a " + delta.getClass().getName()), null));
    }
    StoredValue stored;
    try {
      stored = StoredValue.encoded(delta, deltas.encode(delta));
    } catch (RuntimeException e) {
      return failed(new InvalidValueException(key.text(), "Cannot augment key '" + key + "': " + e.getMessage(), e));
    }
    return ask(key, replyTo -> new KeyCommand.Augment(stored, expectedVersion, replyTo), EntryData::version);
  }

  /** Like {@link #augment(Key, Object)}, with the key as text. */
  public CompletionStage<Long> augment(String key, Object delta) {
    return withKey(key, parsed -> augment(parsed, delta));
  }

  /** Like {@link #augment(Key, Object, long)}, with the key as text. */
  public CompletionStage<Long> augment(String key, Object delta, long expectedVersion) {
    return withKey(key, parsed -> augment(parsed, delta, expectedVersion));
  }

  /**
   * Keeps {@code key} warm from now on, across passivation and restarts: it is computed now if it
   * has no value, and (with a periodic primer) refreshed by its timer whether or not anybody asks.
   * Completes once the key is recorded in the warm set (persisted). Idempotent.
   */
  public CompletionStage<Void> keepWarm(Key<?> key) {
    return askWarmKeys(key, replyTo -> new WarmKeys.Add(key.text(), replyTo));
  }

  /** See {@link #keepWarm(Key)}. */
  public CompletionStage<Void> keepWarm(String key) {
    return withKey(key, this::keepWarm);
  }

  /**
   * Stops keeping {@code key} warm: it stays as it is, but once idle it passivates and its timer
   * stops with it. Keys of periodic primers join the warm set again when they get a new value.
   */
  public CompletionStage<Void> stopKeepingWarm(Key<?> key) {
    return askWarmKeys(key, replyTo -> new WarmKeys.Remove(key.text(), replyTo));
  }

  /** See {@link #stopKeepingWarm(Key)}. */
  public CompletionStage<Void> stopKeepingWarm(String key) {
    return withKey(key, this::stopKeepingWarm);
  }

  /**
   * Calls {@code listener} with the key's current value (when it has one) and then with every new
   * version, in order, each once: whether it was computed, put, or recomputed because a product it
   * reads changed. Callbacks run one at a time on an actor of this node; keep them short (hand
   * heavy work to an executor). A callback that throws is logged and the subscription goes on.
   *
   * <p>The subscription follows the key across passivation and across nodes: when the key's actor
   * stops or its node is lost, it watches the key again (at once, or within {@code
   * kck.freshness.wake-interval}). Versions written while it was detached and already replaced are
   * skipped; versions never go backwards.
   *
   * @throws UnknownPrimerException if the key's primer is not registered here
   */
  public <V> Subscription subscribe(Key<V> key, java.util.function.Consumer<? super Entry<V>> listener) {
    if (registered(key) == null) {
      throw new UnknownPrimerException(key.text(), key.primer().name());
    }
    java.util.Objects.requireNonNull(listener, "listener");
    ActorRef<KeySubscriber.Command> subscriber =
        system.systemActorOf(
            KeySubscriber.create(
                key.text(), runtime, runtime.settings().wakeInterval(), data -> listener.accept(toEntry(key, data))),
            "kck-subscriber-" + subscriptions.incrementAndGet(),
            Props.empty());
    return () -> subscriber.tell(KeySubscriber.Cancel.INSTANCE);
  }

  /** Like {@link #subscribe(Key, java.util.function.Consumer)}, with the key as text. */
  public Subscription subscribe(String key, java.util.function.Consumer<? super Entry<Object>> listener) {
    @SuppressWarnings("unchecked")
    Key<Object> parsed = (Key<Object>) primers.parse(key);
    return subscribe(parsed, listener);
  }

  /**
   * The key's updates as an Akka Streams source: the current value, then every new version in order
   * (see {@link #subscribe(Key, java.util.function.Consumer)}). Each materialization is its own
   * subscription, ended when the stream completes or is cancelled. A consumer that falls more than
   * {@code 1024} versions behind fails the stream with a {@link KckException} rather than silently
   * missing versions.
   */
  public <V> Source<Entry<V>, NotUsed> updates(Key<V> key) {
    int buffer = 1024;
    return Source.<Entry<V>>queue(buffer)
        .mapMaterializedValue(queue -> subscribe(key, entry -> {
          if (!(queue.offer(entry) instanceof QueueOfferResult.Enqueued$)) {
            queue.fail(new KckException(key.text(),
                "A stream of key '" + key + "' fell more than " + buffer + " versions behind"));
          }
        }))
        .watchTermination((subscription, done) -> {
          done.whenComplete((ignored, error) -> subscription.close());
          return NotUsed.getInstance();
        });
  }

  /**
   * Adds a hook for the keys of {@code primer} on this node: see {@link KeyHook} (it runs where the
   * key lives, so register it on every node). Closing the returned handle removes it.
   *
   * @throws UnknownPrimerException if the primer is not registered here
   */
  public Subscription addHook(Primer<?> primer, KeyHook hook) {
    if (primers.find(primer.name()).filter(p -> p == primer).isEmpty()) {
      throw new UnknownPrimerException(primer.name(), primer.name());
    }
    Runnable remove = runtime.hooks().add(primer.name(), java.util.Objects.requireNonNull(hook, "hook"));
    return remove::run;
  }

  /** The canonical keys kept warm now. */
  public CompletionStage<java.util.Set<String>> warmKeys() {
    KckFuture<java.util.Set<String>> result = new KckFuture<>(callbackExecutor);
    AskPattern.<WarmKeys.Command, java.util.Set<String>>ask(
            runtime.warmKeys(), WarmKeys.GetKeys::new, requestTimeout, system.scheduler())
        .whenCompleteAsync(
            (keys, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
              } else {
                result.complete(keys);
              }
            },
            Runnable::run);
    return result;
  }

  private CompletionStage<Void> askWarmKeys(
      Key<?> key, Function<ActorRef<akka.Done>, WarmKeys.Command> request) {
    if (registered(key) == null) {
      return failed(new UnknownPrimerException(key.text(), key.primer().name()));
    }
    KckFuture<Void> result = new KckFuture<>(callbackExecutor);
    AskPattern.<WarmKeys.Command, akka.Done>ask(
            runtime.warmKeys(), request::apply, requestTimeout, system.scheduler())
        .whenCompleteAsync(
            (done, error) -> {
              if (error != null) {
                result.completeExceptionally(translate(key, error));
              } else {
                result.complete(null);
              }
            },
            Runnable::run);
    return result;
  }

  /**
   * Parses key text into its canonical typed key.
   *
   * @throws InvalidKeyException (or a subclass) naming the key and what is wrong with it
   */
  public Key<?> parseKey(String text) {
    return primers.parse(text);
  }

  /** The registered primers. */
  public PrimerRegistry primers() {
    return primers;
  }

  /**
   * The key's actor, for Akka code that asks it directly with {@link KeyCommand}s. Values in its
   * replies are {@link StoredValue}s; read them with {@link #valueOf}.
   */
  public EntityRef<KeyCommand> entityRef(Key<?> key) {
    return sharding.entityRefFor(KeyEntity.TYPE_KEY, key.text());
  }

  /** The value inside a reply of the key's actor, as the primer's value type. */
  public <V> V valueOf(Key<V> key, EntryData data) {
    @SuppressWarnings("unchecked")
    V value = data.value() == null ? null : (V) data.value().value(runtime.codec(key.primer()));
    return value;
  }

  public ActorSystem<?> system() {
    return system;
  }

  private <T> CompletionStage<T> ask(
      Key<?> key,
      Function<ActorRef<KeyReply>, KeyCommand> request,
      Function<EntryData, T> onOk) {
    if (registered(key) == null) {
      return failed(new UnknownPrimerException(key.text(), key.primer().name()));
    }
    KckFuture<T> result = new KckFuture<>(callbackExecutor);
    // Akka's Java ask hands back a stage whose plain whenComplete runs on the JDK common pool
    // (a new thread per callback on small machines); the explicit direct executor keeps the
    // callback on the thread that delivers the reply.
    entityRef(key)
        .ask(request::apply, requestTimeout)
        .whenCompleteAsync(
            (reply, error) -> {
              try {
                if (error != null) {
                  result.completeExceptionally(translate(key, error));
                } else if (reply instanceof KeyReply.Ok ok) {
                  result.complete(onOk.apply(ok.entry()));
                } else {
                  result.completeExceptionally(((KeyReply.Failed) reply).problem().toException(key.text()));
                }
              } catch (RuntimeException e) {
                result.completeExceptionally(
                    new KckException(key.text(), "Cannot read the value of key '" + key + "': " + e, e));
              }
            },
            Runnable::run);
    return result;
  }

  private <V> Entry<V> toEntry(Key<V> key, EntryData data) {
    V value = valueOf(key, data);
    return new Entry<>(data.key(), value, data.version(), data.computedAt(), data.stale(),
        data.refreshing(), data.lastError(), data.nextAttemptAt());
  }

  private Primer<?> registered(Key<?> key) {
    return primers.find(key.primer().name()).filter(p -> p == key.primer()).orElse(null);
  }

  private KckException translate(Key<?> key, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof AskTimeoutException) {
      return new KckTimeoutException(
          key.text(),
          "No answer from key '" + key + "' within " + requestTimeout + " (kck.request-timeout)",
          cause);
    }
    return new KeyUnavailableException(
        key.text(), "Request to key '" + key + "' failed: " + cause, cause);
  }


  private <T> CompletionStage<T> withKey(String text, Function<Key<Object>, CompletionStage<T>> action) {
    Key<Object> key;
    try {
      @SuppressWarnings("unchecked")
      Key<Object> parsed = (Key<Object>) primers.parse(text);
      key = parsed;
    } catch (KckException e) {
      return failed(e);
    }
    return action.apply(key);
  }

  private <V, T> CompletionStage<T> withKey(
      Primer<V> primer, Object[] values, Function<Key<V>, CompletionStage<T>> action) {
    Key<V> key;
    try {
      key = primer.key(values);
    } catch (KckException e) {
      return failed(e);
    }
    return action.apply(key);
  }

  private <T> CompletionStage<T> failed(Throwable error) {
    KckFuture<T> future = new KckFuture<>(callbackExecutor);
    future.completeExceptionally(error);
    return future;
  }

  /** A CompletableFuture whose default async executor is the ActorSystem's dispatcher. */
  private static final class KckFuture<T> extends CompletableFuture<T> {
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
}
