package io.kck.entity.node;

import akka.Done;
import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion.CurrentShardRegionState;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.Join;
import akka.cluster.typed.JoinSeedNodes;
import akka.cluster.typed.SingletonActor;
import akka.japi.function.Function;
import akka.pattern.StatusReply;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import akka.stream.Materializer;
import com.typesafe.config.Config;
import io.kck.entity.EntryData;
import io.kck.entity.KeyClient;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyNames;
import io.kck.entity.KeyState;
import io.kck.entity.KeyStatus;
import io.kck.entity.ValueExpiry;
import io.kck.entity.ServedEntry;
import io.kck.entity.SweepReport;
import io.kck.entity.WarmKeys;
import io.kck.entity.cluster.KeySubscriber;
import io.kck.entity.cluster.RetentionSweeper;
import io.kck.entity.cluster.ScheduledRefreshes;
import io.kck.entity.cluster.WarmKeyRegistry;
import io.kck.entity.compute.ComputeExecutor;
import io.kck.entity.key.EntityBehaviors;
import io.kck.entity.key.KeyRuntime;
import io.kck.entity.metrics.Meters;
import io.kck.entity.settings.BatchSettings;
import io.kck.entity.settings.EntitySettings;
import io.kck.entity.settings.ScheduleSettings;
import io.kck.entity.source.Sources;
import io.kck.entity.tier.NearCache;
import io.kck.entity.tier.ShardGuards;
import io.kck.entity.tier.TierLoader;
import io.kck.errors.InvalidValueException;
import io.kck.errors.KckException;
import io.kck.errors.KckTimeoutException;
import io.kck.errors.KeyUnavailableException;
import io.kck.errors.NotCachedException;
import io.kck.errors.OverloadedException;
import io.kck.persistence.DatabaseHealth;
import io.kck.persistence.FirstComputes;
import io.kck.persistence.JournalNames;
import io.kck.persistence.JournalRows;
import io.kck.persistence.KckDatabaseProvider;
import io.kck.persistence.KeyPresence;
import io.kck.persistence.StoredValue;
import io.kck.persistence.ValueCodec;
import io.kck.persistence.ValueMapper;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.KeyHook;
import io.kck.primer.Primer;
import io.kck.primer.ValueFreshness;
import io.kck.primer.internal.Augments;
import io.kck.primer.internal.PrimerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine of one ActorSystem, wired: the node in its cluster, the journal's tables, the compute
 * pool, the warm-key registry, and the sharded key entities. What the facade asks of the engine
 * goes through here, so that nothing outside this package needs its types. Thread-safe.
 */
public final class Engine {
  private static final Logger log = LoggerFactory.getLogger(Engine.class);
  // By identity: ActorSystems of one cluster share a name and compare equal by their path.
  private static final Map<ActorSystem<?>, Engine> started = Collections.synchronizedMap(new IdentityHashMap<>());
  // Systems whose start waits for the database, since when (readiness asks).
  private static final Map<ActorSystem<?>, Instant> waiting = Collections.synchronizedMap(new IdentityHashMap<>());

  private final ActorSystem<?> system;
  private final KeyRuntime runtime;
  private final AtomicLong subscriptions = new AtomicLong();
  private final KeyPresence presence;
  private final KeyRequests requests;
  private ActorRef<RetentionSweeper.Command> sweeper;
  private Sources sources;

  private Engine(ActorSystem<?> system, KeyRuntime runtime, FirstComputes firstComputes) {
    this.system = system;
    this.runtime = runtime;
    this.presence = new KeyPresence(runtime.rows(), firstComputes);
    this.requests = new KeyRequests(runtime.tier(), runtime.near(), runtime.loader(), runtime.client(),
        runtime.clock(), this::heldWhileDatabaseIsDown, this::mayHaveValue,
        key -> !(runtime.settings().of(key.primer()).freshness() instanceof Freshness.AlwaysFresh));
  }

  /**
   * Starts the engine on {@code system}: resolves every setting, joins the node to its cluster,
   * creates the journal tables when absent (starting the embedded PostgreSQL first when no URL is
   * configured), and starts the key entities' sharding. Blocks until the database answers (at most {@code
   * kck.database.start-timeout} for one that does not accept connections yet).
   *
   * @throws IllegalStateException if {@code akka.actor.provider} is not {@code cluster}, if KCK is
   *     already started on this system, or if the database cannot be reached within {@code
   *     kck.database.start-timeout}
   * @throws IllegalArgumentException if two primers share a name or a setting is invalid (the
   *     message names its path)
   */
  public static Engine start(ActorSystem<?> system, Collection<? extends Primer<?>> primers, Clock clock,
      MeterRegistry meterRegistry) {
    Config config = system.settings().config();
    String provider = config.getString("akka.actor.provider");
    if (!provider.equals("cluster") && !provider.equals("akka.cluster.ClusterActorRefProvider")) {
      throw new IllegalStateException("KCK keeps each key in a Cluster Sharding entity: set akka.actor.provider = cluster"
          + " (found '" + provider + "'); see conf/application.conf in KCK's repository for a runnable one");
    }
    PrimerRegistry registry = PrimerRegistry.of(primers);
    EntitySettings settings = EntitySettings.fromConfig(config, registry);
    BatchSettings batching = BatchSettings.fromConfig(config, registry);
    TierLoader.Settings loading = TierLoader.Settings.fromConfig(config);
    Duration resendAfter = EntitySettings.resendAfter(config);
    ScheduleSettings schedules = ScheduleSettings.fromConfig(config, registry);
    if (started.containsKey(system)) {
      throw new IllegalStateException("KCK is already started on ActorSystem " + system.name());
    }
    Sources sources = Sources.prepare(config, registry.primers());
    refuseOpenRemoting(system, config);
    joinCluster(system, config);
    JournalRows rows = new JournalRows(system, config);
    // Only with sources: the keys whose first compute started, which their changes must reach.
    FirstComputes firstComputes = sources.declared() ? new FirstComputes(rows, config) : null;
    KckDatabaseProvider.stopWithSystem(system.classicSystem());
    if (config.getBoolean("kck.database.create-schema")) {
      createSchema(system, rows, firstComputes, config.getDuration("kck.database.start-timeout"));
    }
    Map<String, Integer> primerCaps = new HashMap<>();
    for (Primer<?> primer : registry.primers()) {
      int cap = settings.of(primer).maxConcurrentComputes();
      if (cap > 0) {
        primerCaps.put(primer.name(), cap);
      }
    }
    ComputeExecutor executor = ComputeExecutor.fromConfig(config.getConfig("kck.compute"), primerCaps);
    Config healthConfig = config.getConfig("kck.database.health");
    DatabaseHealth health = new DatabaseHealth(KckDatabaseProvider.DatabaseSettings.from(config),
        healthConfig.getDuration("probe-interval"), healthConfig.getDuration("retry-interval"),
        healthConfig.getDuration("probe-timeout"), tablesOf(rows, firstComputes));
    KeyClient client = new KeyClient(ClusterSharding.get(system), config.getDuration("kck.request-timeout"),
        CoordinatedShutdown.get(system), health, healthConfig.getDuration("fail-within"),
        resendAfter).takingStreamedValues(Materializer.matFromSystem(system), settings.maxValueBytes());
    AtomicInteger warmCount = new AtomicInteger(); // for the meters
    CompletableFuture<Void> regionStarted = new CompletableFuture<>();
    ActorRef<WarmKeys.Command> warmKeys = ClusterSingleton.get(system)
        .init(SingletonActor.of(WarmKeyRegistry.create(registry, settings.wakeInterval(), EntitySettings.maxWarmKeys(config), client,
            warmCount, regionStarted), "kck-warm-keys"));
    ShardGuards guards = new ShardGuards(config.getInt("kck.sharding.number-of-shards"), client);
    Meters meters = new Meters(meterRegistry, registry.primers(), executor, health, warmCount);
    NearCache near = NearCache.start(system, config, settings, registry.primers(), meters, guards, client, clock);
    KeyRuntime runtime = new KeyRuntime(registry, ValueMapper.of(system), executor, settings,
        warmKeys, client, clock, health, rows, meters, guards, near, EntitySettings.tierMaxWeight(config),
        EntitySettings.maxLive(config), loading, config.getDuration("kck.entity.journal-failure-log-window"));
    runtime.batching(batching);
    runtime.sourceSnapshots(sources.snapshots(), sources.primers(), firstComputes);
    Engine engine = new Engine(system, runtime, firstComputes);
    if (started.putIfAbsent(system, engine) != null) {
      executor.close();
      health.close();
      rows.close();
      client.close();
      throw new IllegalStateException("KCK is already started on ActorSystem " + system.name());
    }
    system.getWhenTerminated().thenRun(() -> {
      executor.close();
      health.close();
      client.close();
      engine.presence.close();
      runtime.loader().close();
      sources.close();
      if (firstComputes != null) {
        firstComputes.close();
      }
      rows.close();
      started.remove(system);
    });
    health.start();
    system.systemActorOf(OverflowResponder.create(), "kck-overflow", Props.empty());
    ClusterSharding.get(system).init(
        Entity.of(KeyNames.TYPE_KEY, entity -> EntityBehaviors.of(entity.getEntityId(), entity.getShard(), runtime))
            .withStopMessage(KeyCommand.Passivate.INSTANCE)
            .withEntityProps(DispatcherSelector.fromConfig("kck.entity-dispatcher"))
            .withSettings(ClusterShardingSettings.fromConfig(config.getConfig("kck.sharding"))));
    regionStarted.complete(null);
    runtime.loader().start();
    guards.keepAlive(system, EntitySettings.sentinelWakeInterval(config));
    for (Primer<?> primer : registry.primers()) {
      for (Key<?> warm : primer.warmKeys()) {
        warmKeys.tell(new WarmKeys.Add(warm.text(), null));
      }
    }
    engine.sweeper = ClusterSingleton.get(system).init(SingletonActor.of(RetentionSweeper.create(registry, settings, client,
        rows, warmKeys, clock, EntitySettings.sweepInterval(config), EntitySettings.maxPerSweep(config),
        EntitySettings.sweepPageRows(config),
        engine.presence::forgotten), "kck-retention"));
    if (!schedules.schedules().isEmpty()) { // every node declares the same primers, so the same schedules
      ClusterSingleton.get(system).init(SingletonActor.of(ScheduledRefreshes.create(schedules, clock, warmKeys, client,
          regionStarted), "kck-schedules"));
    }
    engine.sources = sources;
    if (firstComputes != null) {
      sources.start(system, client, engine.presence::writtenOrComputing, firstComputes::clean, engine::encodeDelta,
          meterRegistry);
    }
    log.info("KCK started on {} with primers {}", system.name(), registry.primers());
    return engine;
  }

  /**
   * Fails the start when the cluster port is plain TCP on an address other machines reach, unless
   * kck.cluster.allow-plaintext-remoting says so (then warns): before this node joins a cluster or
   * hosts a key, so that nothing of KCK's answers on that port.
   */
  private static void refuseOpenRemoting(ActorSystem<?> system, Config config) {
    Address self = Cluster.get(system).selfMember().address();
    String host = self.getHost().orElse("");
    int port = self.getPort().orElse(0);
    switch (RemotingExposure.of(config, host)) {
      case REFUSED -> throw new IllegalStateException(RemotingExposure.refusal(config, host, port));
      case OPEN_BY_CHOICE -> log.warn(RemotingExposure.warning(config, host, port));
      case CLOSED -> RemotingExposure.weakTls(config, host, port).ifPresent(log::warn);
    }
  }

  /** Joins kck.cluster.seed-nodes, or this node itself when no seed nodes are configured. */
  private static void joinCluster(ActorSystem<?> system, Config config) {
    Cluster cluster = Cluster.get(system);
    String seeds = config.getString("kck.cluster.seed-nodes").trim();
    boolean manyNodes = !seeds.isEmpty() || !config.getList("akka.cluster.seed-nodes").isEmpty();
    if (manyNodes && config.getString("akka.cluster.downing-provider-class").isBlank()) {
      // Without downing a crashed node is never removed, and its keys never move to the others.
      throw new IllegalStateException("KCK joins a cluster of several nodes (seed nodes are configured) but"
          + " akka.cluster.downing-provider-class is empty: a crashed node's keys would stay unavailable forever."
          + " Set it (KCK's reference.conf sets Akka's split-brain resolver; something overrode it)");
    }
    if (!seeds.isEmpty()) {
      List<Address> addresses = new ArrayList<>();
      for (String seed : seeds.split(",")) {
        try {
          addresses.add(AddressFromURIString.parse(seed.trim()));
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("kck.cluster.seed-nodes: '" + seed.trim()
              + "' is not an Akka address like akka://" + system.name() + "@host:25520", e);
        }
      }
      cluster.manager().tell(new JoinSeedNodes(addresses));
    } else if (config.getBoolean("kck.cluster.join-self") && config.getList("akka.cluster.seed-nodes").isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  /** The tables KCK needs, for the health probe: the journal's, and with sources the first computes'. */
  private static List<String> tablesOf(JournalRows rows, FirstComputes firstComputes) {
    List<String> tables = new ArrayList<>(List.of(rows.events(), rows.snapshots(), rows.floors()));
    if (firstComputes != null) {
      tables.add(firstComputes.table());
    }
    return tables;
  }

  /**
   * Akka Persistence JDBC's tables (by its schema script), the version floor table and, with
   * sources, the first computes' table ({@code firstComputes}, else null), waiting up to {@code
   * timeout} for a database that does not accept connections yet ({@link DatabaseWait}); closes
   * {@code rows} if it cannot.
   */
  private static void createSchema(ActorSystem<?> system, JournalRows rows, FirstComputes firstComputes,
      Duration timeout) {
    try {
      new DatabaseWait(timeout, reason -> waiting.putIfAbsent(system, Instant.now())).until("creating KCK's tables", () ->
          rows.withSchemaLock(() -> {
            SchemaUtils.createIfNotExists(JournalNames.JOURNAL_PLUGIN, system).toCompletableFuture().get(2, TimeUnit.MINUTES);
            rows.createFloorTable();
            if (firstComputes != null) {
              firstComputes.createTable();
            }
          }));
    } catch (Exception e) {
      rows.close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String waited = DatabaseWait.notYetReachable(cause)
          ? " after waiting kck.database.start-timeout = " + DatabaseWait.text(timeout) + " for it to accept connections" : "";
      throw new IllegalStateException("KCK cannot create its tables in PostgreSQL (kck.database)" + waited + ": "
          + cause, cause);
    } finally {
      waiting.remove(system);
    }
  }

  /**
   * Since when the start of KCK on {@code system} waits for its database to accept connections,
   * while {@code Kck.start} runs and waits; empty otherwise.
   */
  public static Optional<Instant> waitingForDatabase(ActorSystem<?> system) {
    return Optional.ofNullable(waiting.get(system));
  }

  public ActorSystem<?> system() {
    return system;
  }

  /** The engine started on {@code system}, or null (tests in this package reach its parts through it). */
  public static Engine on(ActorSystem<?> system) {
    return started.get(system);
  }

  /** How many gets share a request now, by key (none once every get is answered). */
  public int sharedGetsInFlight() {
    return requests.sharedGetsInFlight();
  }

  public KeyRuntime runtime() {
    return runtime;
  }

  public PrimerRegistry primers() {
    return runtime.primers();
  }

  /** How requests reach keys, and how their failures are reported. */
  public KeyClient keys() {
    return runtime.client();
  }

  /**
   * {@code value} as the key's stored form (JSON of the primer's value type, written now).
   *
   * @throws InvalidValueException if it is null, not of the primer's value type, or not writable
   */
  private StoredValue encodeValue(Key<?> key, Object value) {
    return encode(key, runtime.codec(key.primer()), value, "put into", "its value");
  }

  /**
   * {@code delta} as journaled (JSON of the primer's delta type).
   *
   * @throws InvalidValueException if the primer declares no augment, or the delta is null, of
   *     another type or not writable
   */
  private StoredValue encodeDelta(Key<?> key, Object delta) {
    ValueCodec codec = runtime.deltaCodec(key.primer());
    if (codec == null) {
      throw new InvalidValueException(key.text(),
          "Cannot augment key '" + key + "': primer '" + key.primer().name() + "' declares no augment()", null);
    }
    StoredValue encoded = encode(key, codec, delta, "augment", "its delta");
    try {
      // Replay reads every journaled delta back as long as the key lives: refuse now what would
      // read back incomplete, or what the primer's own check refuses.
      codec.checkComplete(encoded.json());
      Augments.check(key.primer().augment().orElseThrow(), delta);
    } catch (RuntimeException e) {
      throw new InvalidValueException(key.text(), "Cannot augment key '" + key + "': the delta was refused: "
          + (e.getMessage() == null ? e.toString() : e.getMessage()) + ". Nothing was applied", e);
    }
    return encoded;
  }

  /**
   * {@code value} as JSON, checked: of the codec's type and within {@code kck.max-value-bytes}
   * (measured while it is written, so a value far too large is never held whole).
   */
  private StoredValue encode(Key<?> key, ValueCodec codec, Object value, String what, String which) {
    if (value == null) {
      throw new InvalidValueException(key.text(), "Cannot " + what + " key '" + key + "': the " + which.substring(4)
          + " (parameter '" + which.substring(4) + "') is null; need a " + codec.type().getRawClass().getName(), null);
    }
    if (!codec.type().getRawClass().isInstance(value)) {
      throw new InvalidValueException(key.text(), "Cannot " + what + " key '" + key + "': need a " + codec.type()
          + ", got a " + value.getClass().getName(), null);
    }
    try {
      return StoredValue.encoded(value, codec.encode(value, runtime.settings().maxValueBytes()));
    } catch (ValueCodec.TooLarge e) {
      throw new InvalidValueException(key.text(), "Cannot " + what + " key '" + key + "': " + which + " is "
          + runtime.settings().tooLarge(e.length()) + ". Nothing was stored", null);
    } catch (RuntimeException e) {
      throw new InvalidValueException(key.text(), "Cannot " + what + " key '" + key + "': " + e.getMessage(), e);
    }
  }

  /**
   * The value in an entry of a key of {@code primer} (the entry names its key), as the primer's
   * value type; null when it has none.
   *
   * @throws KeyUnavailableException if the stored JSON no longer reads as that type
   */
  public Object value(Primer<?> primer, EntryData entry) {
    if (entry.value() == null) {
      return null;
    }
    try {
      return entry.value().value(runtime.codec(primer));
    } catch (RuntimeException e) {
      throw new KeyUnavailableException(entry.key(), "Cannot read the value of key '" + entry.key() + "': " + e, e);
    }
  }

  /**
   * Whether {@code key} may have a value: false only when it has never written anything to the
   * journal, found without starting its actor (see {@link KeyPresence}).
   */
  private CompletionStage<Boolean> mayHaveValue(Key<?> key) {
    return presence.written(key.text());
  }

  /**
   * A fresh entry of {@code key} this node may answer a get from at once (its read tier's, or its
   * near cache's copy of another node's key), counted as a hit; null when the get must ask.
   */
  public ServedEntry hit(Key<?> key) {
    return requests.hit(key);
  }

  /** The same by the key's canonical text (other spellings of it miss). */
  public ServedEntry hit(String keyText) {
    return requests.hit(keyText);
  }

  /**
   * A get that was no hit: see {@link KeyRequests#get}. Fails with the key's {@code KckException}.
   * A key of a primer that does not compute on a miss is asked only when its actor runs here or
   * it has rows in the journal ({@link KeyPresence}, as {@link #getIfPresent} asks): a get of a key
   * nobody wrote fails with {@link NotCachedException} without starting its actor (which would
   * only have answered the same).
   */
  public CompletionStage<EntryData> get(Key<?> key) {
    String text = key.text();
    if (runtime.settings().of(key.primer()).computeOnMiss() || runtime.running().contains(text)) {
      return requests.get(key);
    }
    return presence.written(text).thenCompose(written -> {
      if (written || runtime.running().contains(text)) {
        return requests.get(key);
      }
      runtime.meters().of(key.primer()).get(Meters.GetOutcome.NOT_CACHED);
      return CompletableFuture.failedFuture(new NotCachedException(text, "Key '" + key + "' has no value (it was"
          + " never written) and " + key.primer() + " does not compute on a miss", null));
    });
  }

  /** The key's entry if it has a value, never computing; empty when it has none. */
  public CompletionStage<Optional<EntryData>> getIfPresent(Key<?> key) {
    return requests.getIfPresent(key);
  }

  /** Recomputes the key; answers the entry of a compute that started after this call. */
  public CompletionStage<EntryData> refresh(Key<?> key) {
    return requests.refresh(key);
  }

  /** Drops the key's value; answers the key's entry after it. */
  public CompletionStage<EntryData> invalidate(Key<?> key) {
    return requests.invalidate(key);
  }

  /**
   * Stores {@code value} as the key's next version.
   *
   * @throws InvalidValueException at once, before anything is sent, if the value is not of the
   *     primer's type or cannot be written as JSON
   */
  public CompletionStage<EntryData> put(Key<?> key, Object value) {
    return put(key, value, null, OptionalLong.empty());
  }

  /**
   * {@link #put(Key, Object)} with the value's own {@code freshness} (null: its primer's), counted
   * from now; only if the key's value is still at {@code expectedVersion} when one is given.
   */
  public CompletionStage<EntryData> put(Key<?> key, Object value, ValueFreshness freshness, OptionalLong expectedVersion) {
    return requests.put(key, encodeValue(key, value), ValueExpiry.of(freshness, runtime.clock().instant()),
        expectedVersion);
  }

  /**
   * Applies {@code delta} to the key's value, if it is still at {@code expectedVersion} when one is given.
   *
   * @throws InvalidValueException at once if the primer declares no augment or the delta is not
   *     of its delta type
   */
  public CompletionStage<EntryData> augment(Key<?> key, Object delta, OptionalLong expectedVersion) {
    return requests.augment(key, encodeDelta(key, delta), expectedVersion);
  }

  /**
   * What the actor of {@code key} is doing, asked of it only when it may hold something: its actor
   * runs on this node, or the key has rows in the journal ({@link KeyPresence}). Any other key has
   * never had a value here, and is answered {@link KeyState.Status#EMPTY} without starting its
   * actor, so that inspecting made-up keys costs nothing. (A key whose actor runs on another node
   * and has not yet journaled its first value reads as empty from here.) Fails like {@link
   * KeyClient#inspect}, and with {@link OverloadedException} when too many presence checks wait.
   */
  public CompletionStage<KeyStatus> inspect(Key<?> key, Duration within) {
    String text = key.text();
    if (runtime.running().contains(text)) {
      return keys().inspect(text, within);
    }
    return presence.written(text).thenCompose(written -> written || runtime.running().contains(text)
        ? keys().inspect(text, within)
        : CompletableFuture.completedFuture(new KeyStatus(text, KeyState.Status.EMPTY, 0, 0, 0, null, false, Map.of(),
            Set.of(), null, null, 0, null)));
  }

  /** This node's readiness checks ({@link Readiness}); the shard region is given {@code within}. */
  public CompletionStage<List<Readiness.Check>> health(Duration within) {
    return Readiness.check(system, runtime.health(), sources, within);
  }

  /**
   * While KCK's database is unreachable: the last value a key that lives on this node held, marked
   * stale (it cannot be checked now); otherwise, or when this node holds none, null.
   */
  public EntryData heldWhileDatabaseIsDown(Key<?> key) {
    if (runtime.health().available()) {
      return null;
    }
    EntryData held = runtime.lastValues().get(key.text());
    return held == null ? null : new EntryData(held.key(), held.value(), held.version(), held.computedAt(), true,
        false, "KCK's database is unreachable since " + runtime.health().downSince() + ": served from memory",
        null, held.lineage());
  }

  /**
   * Runs a retention sweep now (one node runs them, see {@link RetentionSweeper}): completes with
   * what it did, or with the result of the sweep already running.
   */
  public CompletionStage<SweepReport> forgetUnused(Duration timeout) {
    return AskPattern.ask(sweeper, RetentionSweeper.Sweep::new, timeout, system.scheduler());
  }

  /** Adds {@code key} to the persisted warm set; completes once it is recorded. */
  public CompletionStage<Void> keepWarm(Key<?> key) {
    return askWarmKeys(key, replyTo -> new WarmKeys.Add(key.text(), replyTo));
  }

  /** Removes {@code key} from the warm set; completes once it is recorded. */
  public CompletionStage<Void> stopKeepingWarm(Key<?> key) {
    return askWarmKeys(key, replyTo -> new WarmKeys.Remove(key.text(), replyTo));
  }

  private CompletionStage<Void> askWarmKeys(Key<?> key,
      Function<ActorRef<StatusReply<Done>>, WarmKeys.Command> request) {
    return AskPattern.<WarmKeys.Command, Done>askWithStatus(runtime.warmKeys(), request, keys().timeout(), system.scheduler())
        .handle((done, error) -> {
          Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
          if (cause instanceof StatusReply.ErrorMessage refused) {
            throw new CompletionException(new OverloadedException(key.text(), refused.getMessage(), null));
          }
          if (error != null) {
            throw new CompletionException(new KckTimeoutException(key.text(),
                "The warm-key registry did not record '" + key + "' within " + keys().timeout() + ": " + error, error));
          }
          return null;
        });
  }

  /** The canonical keys kept warm now. */
  public CompletionStage<Set<String>> warmKeys() {
    return AskPattern.<WarmKeys.Command, WarmKeys.Listed>ask(runtime.warmKeys(), WarmKeys.GetKeys::new, keys().timeout(),
        system.scheduler()).thenApply(WarmKeys.Listed::keys);
  }

  /**
   * Calls {@code callback} with the key's current entry and then each new one, in order and at
   * most once each, on an actor of this node; the returned action ends it.
   */
  public Runnable subscribe(Key<?> key, Consumer<EntryData> callback) {
    ActorRef<KeySubscriber.Command> subscriber = system.systemActorOf(
        KeySubscriber.create(key.text(), runtime.client(), runtime.settings().wakeInterval(), callback),
        "kck-subscriber-" + subscriptions.incrementAndGet(), Props.empty());
    return () -> subscriber.tell(KeySubscriber.Cancel.INSTANCE);
  }

  /** Adds {@code hook} for the keys of {@code primer} on this node; the returned action removes it. */
  public Runnable addHook(Primer<?> primer, KeyHook hook) {
    return runtime.hooks().add(primer.name(), hook);
  }

  /** The source tables of the primers, and their consumer when it runs on this node. */
  public Sources sources() {
    return sources;
  }

  /**
   * Drops KCK's replication slot and publication, and the first computes' table, when no primer
   * declares a source; answers what it dropped.
   */
  public CompletionStage<List<String>> dropUnusedSources() {
    return CompletableFuture.supplyAsync(() -> {
      List<String> dropped = new ArrayList<>(sources.dropUnused());
      try {
        FirstComputes.dropTable(runtime.rows(), system.settings().config()).ifPresent(dropped::add);
      } catch (SQLException e) {
        throw new IllegalStateException("Dropped " + dropped + ", but not the first computes' table: " + e.getMessage(), e);
      }
      return dropped;
    }, system.dispatchers().lookup(DispatcherSelector.blocking()));
  }

  /** The keys whose actors are alive on this node now, as Cluster Sharding reports them, sorted. */
  public CompletionStage<List<String>> liveKeys() {
    return AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(KeyNames.TYPE_KEY, replyTo), keys().timeout(), system.scheduler())
        .thenApply(state -> {
          Set<String> ids = new TreeSet<>();
          state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
          ids.removeIf(ShardGuards::isSentinel); // no keys
          return List.copyOf(ids);
        });
  }
}
