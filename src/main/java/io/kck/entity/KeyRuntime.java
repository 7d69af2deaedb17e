package io.kck.entity;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.ObjectMapper;
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
  private final ComputeExecutor executor;
  private final EntitySettings settings;
  private final ActorRef<WarmKeys.Command> warmKeys;

  public KeyRuntime(
      PrimerRegistry primers,
      ObjectMapper values,
      ComputeExecutor executor,
      EntitySettings settings,
      ActorRef<WarmKeys.Command> warmKeys) {
    this.primers = primers;
    this.warmKeys = warmKeys;
    this.executor = executor;
    this.settings = settings;
    Map<String, ValueCodec> byName = new HashMap<>();
    for (Primer<?> primer : primers.primers()) {
      byName.put(primer.name(), new ValueCodec(values, primer.valueType()));
    }
    this.codecs = Map.copyOf(byName);
  }

  public PrimerRegistry primers() {
    return primers;
  }

  public ValueCodec codec(Primer<?> primer) {
    return codecs.get(primer.name());
  }

  public ComputeExecutor executor() {
    return executor;
  }

  public EntitySettings settings() {
    return settings;
  }

  /** The warm-key registry (a cluster singleton proxy). */
  public ActorRef<WarmKeys.Command> warmKeys() {
    return warmKeys;
  }
}
