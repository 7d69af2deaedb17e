package io.kck.entity;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.persistence.ValueCodec;
import io.kck.primer.Primer;
import io.kck.primer.PrimerRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every key entity of one ActorSystem shares: the registered primers and their codecs and
 * settings, the compute pool, the clock, the way to other keys, and this node's hooks and local
 * entries. Immutable apart from the pool, the hooks and the entries; thread-safe.
 */
final class KeyRuntime {
  private final PrimerRegistry primers;
  private final Map<String, ValueCodec> codecs;
  private final Map<String, ValueCodec> deltaCodecs;
  private final ComputeExecutor executor;
  private final EntitySettings settings;
  private final ActorRef<WarmKeys.Command> warmKeys;
  private final KeyClient client;
  private final Clock clock;
  private final DatabaseHealth health;
  private final JournalRows rows;
  private final Meters meters;
  private final Hooks hooks = new Hooks();
  private final ReadTier tier;
  private final ShardGuards guards;
  private final NearCache near;
  private final LiveLimit liveLimit;
  private final TierLoader loader;
  private final Map<String, EntryData> lastValues = new ConcurrentHashMap<>();

  KeyRuntime(PrimerRegistry primers, ObjectMapper values, ComputeExecutor executor, EntitySettings settings,
      ActorRef<WarmKeys.Command> warmKeys, KeyClient client, Clock clock, DatabaseHealth health, JournalRows rows,
      Meters meters, ShardGuards guards, NearCache near, long tierMaxWeight, int maxLive, TierLoader.Settings loading) {
    this.guards = guards;
    this.near = near;
    this.liveLimit = new LiveLimit(maxLive);
    this.tier = new ReadTier(tierMaxWeight);
    this.health = health;
    this.rows = rows;
    this.meters = meters;
    this.primers = primers;
    this.executor = executor;
    this.settings = settings;
    this.warmKeys = warmKeys;
    this.client = client;
    this.clock = clock;
    Map<String, ValueCodec> byName = new HashMap<>();
    Map<String, ValueCodec> deltasByName = new HashMap<>();
    for (Primer<?> primer : primers.primers()) {
      byName.put(primer.name(), new ValueCodec(values, primer.valueType()));
      primer.augment().ifPresent(
          augment -> deltasByName.put(primer.name(), new ValueCodec(values, augment.deltaType())));
    }
    this.codecs = Map.copyOf(byName);
    this.deltaCodecs = Map.copyOf(deltasByName);
    this.loader = new TierLoader(this, loading);
  }

  PrimerRegistry primers() {
    return primers;
  }

  ValueCodec codec(Primer<?> primer) {
    return codecs.get(primer.name());
  }

  /** The codec of the primer's augment deltas; null when it declares none. */
  ValueCodec deltaCodec(Primer<?> primer) {
    return deltaCodecs.get(primer.name());
  }

  ComputeExecutor executor() {
    return executor;
  }

  EntitySettings settings() {
    return settings;
  }

  /** Where ages, deadlines and computed-at times are read: injected, so tests can drive it. */
  Clock clock() {
    return clock;
  }

  KeyClient client() {
    return client;
  }

  /** The bound of this node's live key actors (kck.entity.max-live). */
  LiveLimit liveLimit() {
    return liveLimit;
  }

  /** This node's read tier. */
  ReadTier tier() {
    return tier;
  }

  /** What loads stopped keys' values into the tier without their actors. */
  TierLoader loader() {
    return loader;
  }

  /** This node's copies of other nodes' keys. */
  NearCache near() {
    return near;
  }

  /** The guards under which stopped keys of this node's shards keep their entries. */
  ShardGuards guards() {
    return guards;
  }

  /**
   * The last value of each key that lives on this node, kept while its actor restarts after a
   * journal failure: what gets are answered from while the database is unreachable.
   */
  Map<String, EntryData> lastValues() {
    return lastValues;
  }

  /** Whether KCK's database is reachable, as this node's probe last found. */
  DatabaseHealth health() {
    return health;
  }

  /** The keys' rows, for what the journal plugin cannot do (the retention's deletes). */
  JournalRows rows() {
    return rows;
  }

  /** The meters of {@code primer}'s keys. */
  Meters.PrimerMeters meters(Primer<?> primer) {
    return meters.of(primer);
  }

  Hooks hooks() {
    return hooks;
  }

  /** The warm-key registry (a cluster singleton proxy). */
  ActorRef<WarmKeys.Command> warmKeys() {
    return warmKeys;
  }
}
