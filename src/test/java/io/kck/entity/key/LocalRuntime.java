package io.kck.entity.key;

import akka.actor.testkit.typed.javadsl.BehaviorTestKit;
import akka.actor.testkit.typed.javadsl.TestInbox;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.entity.KeyCommand;
import io.kck.entity.LocalKeyClient;
import io.kck.entity.WarmKeys;
import io.kck.entity.compute.ComputeExecutor;
import io.kck.entity.metrics.Meters;
import io.kck.entity.settings.EntitySettings;
import io.kck.entity.tier.LocalNearCache;
import io.kck.entity.tier.ShardGuards;
import io.kck.entity.tier.TierLoader;
import io.kck.persistence.DatabaseHealth;
import io.kck.persistence.KckDatabaseProvider.DatabaseSettings;
import io.kck.primer.Primer;
import io.kck.primer.internal.PrimerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link KeyRuntime} of real collaborators that need no ActorSystem and no database: the settings
 * of {@code reference.conf} (with a test's overrides), a clock moved by hand, other keys as
 * inboxes, the warm-key registry as an inbox, the rows as {@link RecordingRows}. Computes are
 * submitted to a real pool whose per-primer cap is zero ({@link #held}), so none runs and a test
 * finishes them itself; or run on it ({@link #running}).
 */
final class LocalRuntime implements AutoCloseable {
  static final Instant START = Instant.parse("2024-03-01T12:00:00Z");

  final Config config;
  final HandClock clock = new HandClock(START);
  final PrimerRegistry primers;
  final EntitySettings settings;
  final ComputeExecutor executor;
  final DatabaseHealth health;
  final Map<String, TestInbox<KeyCommand>> keys = new ConcurrentHashMap<>();
  final TestInbox<WarmKeys.Command> warmKeys = TestInbox.create("warm-keys");
  final RecordingRows rows = new RecordingRows();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Meters meters;
  final KeyRuntime runtime;

  private LocalRuntime(String overrides, boolean computesRun, List<Primer<?>> registered) {
    this.config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
    this.primers = PrimerRegistry.of(registered);
    this.settings = EntitySettings.fromConfig(config, primers);
    Map<String, Integer> caps = new HashMap<>();
    if (!computesRun) {
      registered.forEach(primer -> caps.put(primer.name(), 0)); // submitted, never started
    }
    this.executor = ComputeExecutor.fromConfig(config.getConfig("kck.compute"), caps);
    this.health = new DatabaseHealth(new DatabaseSettings("jdbc:postgresql://127.0.0.1:1/none", "kck", ""),
        Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(1), List.of());
    var client = LocalKeyClient.routingTo(key -> inbox(key).getRef(), health, Duration.ofSeconds(5));
    ShardGuards guards = new ShardGuards(config.getInt("kck.sharding.number-of-shards"), client);
    this.meters = new Meters(registry, primers.primers(), executor, health, new AtomicInteger());
    this.runtime = new KeyRuntime(primers, JsonMapper.builder().build(), executor, settings,
        warmKeys.getRef(), client, clock, health, null, rows, meters, guards,
        LocalNearCache.of(config, settings, primers.primers(), meters, guards, clock), EntitySettings.tierMaxWeight(config),
        EntitySettings.maxLive(config), TierLoader.Settings.fromConfig(config),
        config.getDuration("kck.entity.journal-failure-log-window"));
  }

  /** Computes are submitted but never start: a test ends them by hand. */
  static LocalRuntime held(String overrides, Primer<?>... primers) {
    return new LocalRuntime(overrides, false, List.of(primers));
  }

  /** Computes run on the pool and report to the key's actor. */
  static LocalRuntime running(String overrides, Primer<?>... primers) {
    return new LocalRuntime(overrides, true, List.of(primers));
  }

  /** Where messages to the key {@code key} (another key, seen from the one under test) arrive. */
  TestInbox<KeyCommand> inbox(String key) {
    return keys.computeIfAbsent(key, text -> TestInbox.create("key-" + keys.size()));
  }

  /** Everything sent to {@code key} so far, taken. */
  List<KeyCommand> sentTo(String key) {
    return inbox(key).getAllReceived();
  }

  /** How many computes were handed to the pool and not started. */
  int computesSubmitted() {
    return executor.queued();
  }

  /** Computes started so far, as the {@code kck.computes} meter counts them. */
  long computesStarted() {
    return (long) registry.find("kck.computes").counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  /**
   * What {@code make} builds from an actor context, built while a {@link BehaviorTestKit} sets up
   * its behavior (a context may only be used then): no ActorSystem behind it. {@code self} gets
   * what it sends its actor.
   */
  static <T> T stubbed(java.util.function.Function<ActorContext<KeyCommand>, T> make,
      AtomicReference<TestInbox<KeyCommand>> self) {
    AtomicReference<T> made = new AtomicReference<>();
    BehaviorTestKit<KeyCommand> kit = BehaviorTestKit.create(Behaviors.<KeyCommand>setup(context -> {
      made.set(make.apply(context));
      return Behaviors.empty();
    }));
    self.set(kit.selfInbox());
    return made.get();
  }

  @Override
  public void close() {
    executor.close();
    health.close();
    runtime.client().close();
  }

  /** The rows of keys, in memory: the version floor a test sets, and what keys asked to delete or purge. */
  static final class RecordingRows implements KeyRows {
    record Delete(String key, long toSequenceNr, String primer, long version) {}

    volatile long floor;
    final List<String> floorReads = new ArrayList<>();
    final List<Delete> deletes = new ArrayList<>();
    final List<String> snapshots = new ArrayList<>();

    @Override
    public synchronized CompletionStage<Long> versionFloor(String primer) {
      floorReads.add(primer);
      return CompletableFuture.completedFuture(floor);
    }

    @Override
    public synchronized CompletionStage<Void> delete(String key, long toSequenceNr, String primer, long version) {
      deletes.add(new Delete(key, toSequenceNr, primer, version));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized void snapshotted(String persistenceId) {
      snapshots.add(persistenceId);
    }
  }
}
