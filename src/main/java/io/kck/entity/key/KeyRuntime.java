package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.entity.EntryData;
import io.kck.entity.KeyClient;
import io.kck.entity.SourceSnapshots;
import io.kck.entity.WarmKeys;
import io.kck.entity.compute.ComputeExecutor;
import io.kck.entity.metrics.Meters;
import io.kck.entity.settings.BatchSettings;
import io.kck.entity.settings.EntitySettings;
import io.kck.entity.tier.NearCache;
import io.kck.entity.tier.ReadTier;
import io.kck.entity.tier.ShardGuards;
import io.kck.entity.tier.TierLoader;
import io.kck.persistence.DatabaseHealth;
import io.kck.persistence.FirstComputes;
import io.kck.persistence.JournalRows;
import io.kck.persistence.ValueCodec;
import io.kck.persistence.ValueCodecs;
import io.kck.primer.Primer;
import io.kck.primer.internal.PrimerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every key entity of one ActorSystem shares: the registered primers and their codecs and
 * settings, the compute pool, the clock, the way to other keys, and this node's hooks and local
 * entries. Immutable apart from the pool, the hooks, the entries and the batches (their settings
 * given once, at start); thread-safe.
 */
public final class KeyRuntime {
  private final PrimerRegistry primers;
  private final ValueCodecs codecs;
  private final ComputeExecutor executor;
  private final EntitySettings settings;
  private final ActorRef<WarmKeys.Command> warmKeys;
  private final KeyClient client;
  private final Clock clock;
  private final DatabaseHealth health;
  private final JournalRows rows;
  private final KeyRows keyRows;
  private final Meters meters;
  private final Hooks hooks = new Hooks();
  private final ReadTier tier;
  private final ShardGuards guards;
  private final NearCache near;
  private final LiveLimit liveLimit;
  private final RunningKeys running = new RunningKeys();
  private final TierLoader loader;
  private final Map<String, EntryData> lastValues = new ConcurrentHashMap<>();
  private volatile BatchLanes batches;
  private volatile SourceSnapshots snapshots;
  private volatile Set<String> followingSources = Set.of();
  private volatile FirstComputes firstComputes;
  private final JournalFailures journalFailures;

  public KeyRuntime(PrimerRegistry primers, ObjectMapper values, ComputeExecutor executor, EntitySettings settings,
      ActorRef<WarmKeys.Command> warmKeys, KeyClient client, Clock clock, DatabaseHealth health, JournalRows rows,
      Meters meters, ShardGuards guards, NearCache near, long tierMaxWeight, int maxLive, TierLoader.Settings loading,
      Duration journalFailureLogWindow) {
    this(primers, values, executor, settings, warmKeys, client, clock, health, rows, KeyRows.of(rows), meters, guards, near,
        tierMaxWeight, maxLive, loading, journalFailureLogWindow);
  }

  /**
   * The same with the keys' own use of their rows given apart ({@code rows} may then be null): the
   * seam through which tests run keys on Akka's in-memory journal, without a database.
   */
  KeyRuntime(PrimerRegistry primers, ObjectMapper values, ComputeExecutor executor, EntitySettings settings,
      ActorRef<WarmKeys.Command> warmKeys, KeyClient client, Clock clock, DatabaseHealth health, JournalRows rows,
      KeyRows keyRows, Meters meters, ShardGuards guards, NearCache near, long tierMaxWeight, int maxLive,
      TierLoader.Settings loading, Duration journalFailureLogWindow) {
    this.journalFailures = new JournalFailures(journalFailureLogWindow);
    this.keyRows = keyRows;
    this.guards = guards;
    this.near = near;
    this.liveLimit = new LiveLimit(maxLive);
    this.tier = new ReadTier(tierMaxWeight);
    this.health = health;
    this.rows = rows;
    this.meters = meters;
    this.primers = primers;
    this.executor = executor;
    this.batches = new BatchLanes(executor, BatchSettings.DEFAULTS);
    this.settings = settings;
    this.warmKeys = warmKeys;
    this.client = client;
    this.clock = clock;
    this.codecs = new ValueCodecs(primers, values);
    this.loader = new TierLoader(tier, guards, settings, codecs, meters, rows, health, clock, loading);
  }

  public PrimerRegistry primers() {
    return primers;
  }

  public ValueCodec codec(Primer<?> primer) {
    return codecs.of(primer);
  }

  /** The codec of the primer's augment deltas; null when it declares none. */
  public ValueCodec deltaCodec(Primer<?> primer) {
    return codecs.deltasOf(primer);
  }

  ComputeExecutor executor() {
    return executor;
  }

  /**
   * Uses {@code batching} for the batches of primers with a batch compute; called once, as the
   * node starts and before any key does ({@link BatchSettings#DEFAULTS} until then).
   */
  public void batching(BatchSettings batching) {
    this.batches = new BatchLanes(executor, batching);
  }

  /**
   * Takes a snapshot of the source database around each compute of {@code primers} (the names of
   * those that declare source tables), and marks a key's first compute in {@code firstComputes}
   * before it; called once, as the node starts and before any key does.
   */
  public void sourceSnapshots(SourceSnapshots snapshots, Set<String> primers, FirstComputes firstComputes) {
    this.snapshots = snapshots;
    this.followingSources = Set.copyOf(primers);
    this.firstComputes = firstComputes;
  }

  /** Where the first computes of keys of primers with sources are marked; null without sources. */
  FirstComputes firstComputes() {
    return firstComputes;
  }

  /** Where a compute of {@code primer} takes the source database's snapshots; null for a primer without sources. */
  SourceSnapshots snapshotsFor(Primer<?> primer) {
    SourceSnapshots taken = snapshots;
    return taken != null && followingSources.contains(primer.name()) ? taken : null;
  }

  /** Where this node's keys start their computes: alone, or in batches. */
  BatchLanes batches() {
    return batches;
  }

  public EntitySettings settings() {
    return settings;
  }

  /** Where ages, deadlines and computed-at times are read: injected, so tests can drive it. */
  public Clock clock() {
    return clock;
  }

  public KeyClient client() {
    return client;
  }

  /** The bound of this node's live key actors (kck.entity.max-live). */
  LiveLimit liveLimit() {
    return liveLimit;
  }

  /** The keys whose actors run on this node now. */
  public RunningKeys running() {
    return running;
  }

  /** This node's read tier. */
  public ReadTier tier() {
    return tier;
  }

  /** What loads stopped keys' values into the tier without their actors. */
  public TierLoader loader() {
    return loader;
  }

  /** This node's copies of other nodes' keys. */
  public NearCache near() {
    return near;
  }

  /** The guards under which stopped keys of this node's shards keep their entries. */
  public ShardGuards guards() {
    return guards;
  }

  /**
   * The last value of each key that lives on this node, kept while its actor restarts after a
   * journal failure: what gets are answered from while the database is unreachable.
   */
  public Map<String, EntryData> lastValues() {
    return lastValues;
  }

  /** Whether KCK's database is reachable, as this node's probe last found. */
  /** Where keys report their journal failures, logged at most once per key per window. */
  JournalFailures journalFailures() {
    return journalFailures;
  }

  public DatabaseHealth health() {
    return health;
  }

  /** The keys' rows, for what the journal plugin cannot do (the retention's deletes). */
  public JournalRows rows() {
    return rows;
  }

  /** What the keys do with their rows besides journaling (the version floor, deletes, purges). */
  KeyRows keyRows() {
    return keyRows;
  }

  /** The meters of {@code primer}'s keys. */
  Meters.PrimerMeters meters(Primer<?> primer) {
    return meters.of(primer);
  }

  /** The codecs of the primers' values and deltas. */
  public ValueCodecs codecs() {
    return codecs;
  }

  /** Every primer's meters. */
  public Meters meters() {
    return meters;
  }

  public Hooks hooks() {
    return hooks;
  }

  /** The warm-key registry (a cluster singleton proxy). */
  public ActorRef<WarmKeys.Command> warmKeys() {
    return warmKeys;
  }
}
