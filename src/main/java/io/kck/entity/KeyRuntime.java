package io.kck.entity;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import io.kck.persistence.ValueCodec;
import io.kck.primer.Primer;
import io.kck.primer.PrimerRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * What every key entity of one ActorSystem shares: the registered primers, their value codecs, the
 * compute pool and the settings. Immutable apart from the pool; thread-safe.
 */
public final class KeyRuntime {
  private final PrimerRegistry primers;
  private final Map<String, ValueCodec> codecs;
  private final Map<String, ValueCodec> deltaCodecs;
  private final ComputeExecutor executor;
  private final EntitySettings settings;
  private final ActorRef<WarmKeys.Command> warmKeys;
  private final ClusterSharding sharding;
  private final Duration requestTimeout;
  private final Hooks hooks = new Hooks();
  private final java.util.concurrent.ConcurrentHashMap<String, EntryData> localEntries =
      new java.util.concurrent.ConcurrentHashMap<>();

  public KeyRuntime(
      PrimerRegistry primers,
      ObjectMapper values,
      ComputeExecutor executor,
      EntitySettings settings,
      ActorRef<WarmKeys.Command> warmKeys,
      ClusterSharding sharding,
      Duration requestTimeout) {
    this.primers = primers;
    this.sharding = sharding;
    this.requestTimeout = requestTimeout;
    this.warmKeys = warmKeys;
    this.executor = executor;
    this.settings = settings;
    Map<String, ValueCodec> byName = new HashMap<>();
    Map<String, ValueCodec> deltasByName = new HashMap<>();
    for (Primer<?> primer : primers.primers()) {
      byName.put(primer.name(), new ValueCodec(values, primer.valueType()));
      primer.augment().ifPresent(
          augment -> deltasByName.put(primer.name(), new ValueCodec(values, augment.deltaType())));
    }
    this.codecs = Map.copyOf(byName);
    this.deltaCodecs = Map.copyOf(deltasByName);
  }

  public PrimerRegistry primers() {
    return primers;
  }

  public ValueCodec codec(Primer<?> primer) {
    return codecs.get(primer.name());
  }

  /** The codec of the primer's augment deltas; null when it declares no augment. */
  public ValueCodec deltaCodec(Primer<?> primer) {
    return deltaCodecs.get(primer.name());
  }

  public ComputeExecutor executor() {
    return executor;
  }

  public EntitySettings settings() {
    return settings;
  }

  /** Where other keys are: reads and change notifications go through sharding. */
  public ClusterSharding sharding() {
    return sharding;
  }

  /**
   * The entries of the keys live on this node that a get may answer without asking the key's actor
   * (each published and removed by its own key). {@code kck.entity.local-hits}.
   */
  public java.util.Map<String, EntryData> localEntries() {
    return localEntries;
  }

  /** The hooks registered on this node. */
  public Hooks hooks() {
    return hooks;
  }

  /** {@code kck.request-timeout}: how long a read of another key may wait. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** The entity of another key, by canonical text. */
  EntityRef<KeyCommand> key(String text) {
    return sharding.entityRefFor(KeyEntity.TYPE_KEY, text);
  }

  /** The warm-key registry (a cluster singleton proxy). */
  public ActorRef<WarmKeys.Command> warmKeys() {
    return warmKeys;
  }
}
