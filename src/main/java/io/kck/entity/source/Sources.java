package io.kck.entity.source;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import com.typesafe.config.Config;
import io.kck.entity.KeyClient;
import io.kck.persistence.StoredValue;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.TableSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The source tables of one node's primers: checked and prepared when KCK starts (publication and
 * slot), followed by one consumer in the cluster (a cluster singleton; on one node, that node), and
 * cleaned up on request once no primer declares a source.
 */
public final class Sources {
  private final Config config;
  private final List<SourceConsumer.Route> routes;
  private final SourceSettings settings; // null without sources
  private final AtomicReference<SourceConsumer> running = new AtomicReference<>();

  private Sources(Config config, List<SourceConsumer.Route> routes, SourceSettings settings) {
    this.config = config;
    this.routes = routes;
    this.settings = settings;
  }

  /**
   * The sources {@code primers} declare. When there are any, checks the database (wal_level, the
   * role's REPLICATION, the tables and their REPLICA IDENTITY) and makes KCK's publication and slot.
   *
   * @throws IllegalStateException naming what is missing
   */
  public static Sources prepare(Config config, Collection<? extends Primer<?>> primers) {
    List<SourceConsumer.Route> routes = new ArrayList<>();
    for (Primer<?> primer : primers) {
      for (TableSource source : primer.sources()) {
        if (source.action() == TableSource.Action.AUGMENT && primer.augment().isEmpty()) {
          throw new IllegalArgumentException("The source " + source.table() + " of " + primer
              + " augments its keys, but the primer declares no augment()");
        }
        routes.add(new SourceConsumer.Route(primer, source));
      }
    }
    if (routes.isEmpty()) {
      return new Sources(config, List.of(), null);
    }
    SourceSettings settings = SourceSettings.fromConfig(config);
    new SourceDatabase(settings).prepare(SourceConsumer.tables(routes));
    return new Sources(config, List.copyOf(routes), settings);
  }

  /** Whether any primer declares a source. */
  public boolean declared() {
    return !routes.isEmpty();
  }

  /** Starts the consumer as a cluster singleton (nothing without sources). */
  public void start(ActorSystem<?> system, KeyClient keys,
      Function<String, CompletionStage<Boolean>> written, BiFunction<Key<?>, Object, StoredValue> encodeDelta,
      MeterRegistry meters) {
    if (routes.isEmpty()) {
      return;
    }
    // On the node that runs the consumer; NaN elsewhere.
    Gauge.builder("kck.sources.lag-seconds", this,
            sources -> sources.consumer().map(SourceConsumer::lagSeconds).orElse(Double.NaN))
        .description("Seconds since the oldest change read from the slot whose keys have not all journaled it")
        .register(meters);
    Gauge.builder("kck.sources.pending-changes", this,
            sources -> sources.consumer().map(consumer -> (double) consumer.pendingChanges()).orElse(Double.NaN))
        .description("Changes read from the slot whose keys have not all answered")
        .register(meters);
    Gauge.builder("kck.sources.lag-bytes", this, Sources::lagBytes)
        .description("WAL bytes PostgreSQL keeps for KCK's slot past what KCK confirmed (asked at most every 5 s)")
        .baseUnit("bytes")
        .register(meters);
    Behavior<Command> consumer = Behaviors.setup(context -> {
      SourceConsumer started = new SourceConsumer(settings, routes, keys, written, encodeDelta);
      started.start();
      running.set(started);
      return Behaviors.receive(Command.class)
          .onSignal(PostStop.class, stop -> {
            running.compareAndSet(started, null);
            started.stop();
            return Behaviors.same();
          })
          .build();
    });
    ClusterSingleton.get(system).init(SingletonActor.of(consumer, "kck-sources"));
  }

  private volatile long lagBytesAt;
  private volatile double lagBytes = Double.NaN;

  /** The slot's lag in WAL bytes, asked of the server at most every 5 s, on the node that runs the consumer. */
  private double lagBytes() {
    Optional<SourceConsumer> consumer = consumer();
    if (consumer.isEmpty()) {
      return Double.NaN;
    }
    long now = System.nanoTime();
    if (lagBytesAt == 0 || now - lagBytesAt > 5_000_000_000L) {
      lagBytesAt = now;
      long bytes = consumer.get().lagBytes();
      lagBytes = bytes < 0 ? Double.NaN : bytes;
    }
    return lagBytes;
  }

  /** The consumer when it runs on this node. */
  public Optional<SourceConsumer> consumer() {
    return Optional.ofNullable(running.get());
  }

  /**
   * Drops KCK's replication slot and publication, when no primer declares a source; answers what
   * it dropped (nothing when there was nothing).
   *
   * @throws IllegalStateException when primers declare sources (the slot is in use), or the database refuses
   */
  public List<String> dropUnused() {
    if (!routes.isEmpty()) {
      throw new IllegalStateException("Primers declare sources (" + SourceConsumer.tables(routes) + "): KCK's slot '"
          + settings.slot() + "' is in use; remove every source first");
    }
    return new SourceDatabase(SourceSettings.fromConfig(config)).dropSlotAndPublication();
  }

  /** The consumer singleton's protocol: none; it runs until stopped. */
  public enum Command {
    NONE
  }
}
