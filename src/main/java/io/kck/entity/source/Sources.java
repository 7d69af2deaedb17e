package io.kck.entity.source;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import com.typesafe.config.Config;
import io.kck.entity.KeyClient;
import io.kck.entity.SourceSnapshots;
import io.kck.persistence.StoredValue;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.TableSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source tables of one node's primers: checked and prepared when KCK starts (publication and
 * slot), followed by one consumer in the cluster (a cluster singleton; on one node, that node), and
 * cleaned up on request once no primer declares a source.
 */
public final class Sources {
  private static final Logger log = LoggerFactory.getLogger(Sources.class);
  private final Config config;
  private final List<SourceConsumer.Route> routes;
  private final SourceSettings settings; // null without sources
  private final AtomicReference<SourceConsumer> running = new AtomicReference<>();
  private final SnapshotReader snapshots; // null without sources

  private Sources(Config config, List<SourceConsumer.Route> routes, SourceSettings settings) {
    this.config = config;
    this.routes = routes;
    this.settings = settings;
    this.snapshots = settings == null ? null : new SnapshotReader(new SourceDatabase(settings),
        settings.snapshotConnections(), settings.snapshotWait());
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

  /**
   * Where computes of {@link #primers()} take the source database's snapshots, so that a key knows
   * which changes its value holds; null without sources. Its connections close with {@link #close()}.
   */
  public SourceSnapshots snapshots() {
    return snapshots;
  }

  /** The names of the primers that declare sources. */
  public Set<String> primers() {
    Set<String> names = new TreeSet<>();
    routes.forEach(route -> names.add(route.primer().name()));
    return names;
  }

  /** Closes the snapshots' connections (the consumer stops with its singleton). */
  public void close() {
    if (snapshots != null) {
      snapshots.close();
    }
  }

  /**
   * Starts the consumer as a cluster singleton (nothing without sources). {@code written}: whether
   * a change must reach a key (it has rows in the journal, or its first compute started); {@code
   * clean}: deletes the marks of first computes that are no longer needed, run as the consumer
   * starts and every {@code kck.sources.marks-clean-interval} while it runs.
   */
  public void start(ActorSystem<?> system, KeyClient keys,
      Function<String, CompletionStage<Boolean>> written, Supplier<CompletionStage<Integer>> clean,
      BiFunction<Key<?>, Object, StoredValue> encodeDelta, MeterRegistry meters) {
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
    Behavior<Command> consumer = Behaviors.setup(context -> Behaviors.<Command>withTimers(timers -> {
      SourceConsumer started = new SourceConsumer(settings, routes, keys, written, encodeDelta);
      started.start();
      running.set(started);
      timers.startTimerWithFixedDelay(Command.CLEAN, Duration.ZERO, settings.marksCleanInterval());
      return Behaviors.receive(Command.class)
          .onMessageEquals(Command.CLEAN, () -> {
            clean.get().whenComplete((deleted, error) -> {
              if (error != null) {
                log.warn("Could not clean the marks of first computes; again in {}: {}", settings.marksCleanInterval(),
                    error.toString());
              } else {
                log.debug("Deleted {} marks of first computes no longer needed", deleted);
              }
            });
            return Behaviors.same();
          })
          .onSignal(PostStop.class, stop -> {
            running.compareAndSet(started, null);
            started.stop();
            return Behaviors.same();
          })
          .build();
    }));
    ClusterSingleton.get(system).init(SingletonActor.of(consumer, "kck-sources"));
  }

  private static final long LAG_BYTES_EVERY_NANOS = 5_000_000_000L;
  private final AtomicLong lagBytesAskedAt = new AtomicLong();
  private volatile long lagBytes = -1;

  /** The slot's lag in WAL bytes for the meter, on the node that runs the consumer; NaN elsewhere. */
  private double lagBytes() {
    long bytes = consumer().isPresent() ? slotLagBytes() : -1;
    return bytes < 0 ? Double.NaN : bytes;
  }

  /**
   * The slot's lag in WAL bytes as last asked of the server, -1 before the first answer or without
   * a slot. Never blocks: when the last answer is older than 5 s, asks again in the background.
   */
  public long slotLagBytes() {
    if (routes.isEmpty()) {
      return -1;
    }
    long now = System.nanoTime();
    long askedAt = lagBytesAskedAt.get();
    if ((askedAt == 0 || now - askedAt > LAG_BYTES_EVERY_NANOS) && lagBytesAskedAt.compareAndSet(askedAt, now)) {
      CompletableFuture.runAsync(() -> {
        try {
          lagBytes = new SourceDatabase(settings).lagBytes();
        } catch (SQLException e) {
          lagBytes = -1; // unknown: the database check reports an unreachable database
        }
      }, LAG_ASKER);
    }
    return lagBytes;
  }

  /**
   * Why this node is degraded by the slot's lag, past {@code kck.sources.max-lag} (on the node that
   * reads the slot) or {@code kck.sources.max-lag-bytes}; empty when it is not, or nothing is declared.
   */
  public Optional<String> lagProblem() {
    if (routes.isEmpty()) {
      return Optional.empty();
    }
    List<String> problems = new ArrayList<>();
    double seconds = consumer().map(SourceConsumer::lagSeconds).orElse(0.0);
    if (seconds > settings.maxLag().toMillis() / 1000.0) {
      problems.add(String.format(Locale.ROOT, "changes of the source tables wait %.1f s for their keys"
          + " (kck.sources.max-lag %s)", seconds, settings.maxLag()));
    }
    long bytes = slotLagBytes();
    if (bytes > settings.maxLagBytes()) {
      problems.add("PostgreSQL keeps " + bytes + " bytes of WAL for KCK's replication slot (kck.sources.max-lag-bytes "
          + settings.maxLagBytes() + ")");
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }

  /** One daemon thread, shared by every node of the JVM, asks the server for slots' lag. */
  private static final ExecutorService LAG_ASKER = Executors.newSingleThreadExecutor(work -> {
    Thread thread = new Thread(work, "kck-sources-lag");
    thread.setDaemon(true);
    return thread;
  });

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

  /** The consumer singleton's protocol: its timer's; it runs until stopped. */
  public enum Command {
    /** Clean the marks of first computes. */
    CLEAN
  }
}
