package io.kck.entity.cluster;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.kck.entity.KeyClient;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyNames;
import io.kck.entity.WarmKeys.Add;
import io.kck.entity.WarmKeys.Added;
import io.kck.entity.WarmKeys.Command;
import io.kck.entity.WarmKeys.Event;
import io.kck.entity.WarmKeys.GetKeys;
import io.kck.entity.WarmKeys.Listed;
import io.kck.entity.WarmKeys.RegionStarted;
import io.kck.entity.WarmKeys.Remove;
import io.kck.entity.WarmKeys.Removed;
import io.kck.entity.WarmKeys.State;
import io.kck.entity.WarmKeys.WakeAll;
import io.kck.persistence.JournalNames;
import io.kck.persistence.KckEventSourced;
import io.kck.primer.internal.PrimerRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * The keys that must stay warm, as a cluster singleton persisted in KCK's journal: the warm keys
 * of primers and of {@code Kck.keepWarm}, and every key of a primer that keeps its keys warm once
 * it has a value. At most {@code kck.freshness.max-warm-keys} of them: every warm key costs a
 * message per wake interval and an actor in memory, forever, so the set must not grow with
 * whatever keys callers happen to ask for.
 *
 * <p>Why a registry: a key's refresh timer lives in its actor, and dies when the actor stops
 * (passivation, restart, rebalance). Akka's remember-entities would restart such actors, but it
 * switches off passivation for the whole entity type, so memory would grow with every key ever
 * used. Instead this singleton wakes its keys through sharding once when it starts (after a
 * restart, or on another node after a crash) and then every {@code kck.freshness.wake-interval};
 * each wake is a message through sharding, so a warm key never looks idle, and a key that starts
 * re-arms its timer from its persisted computed-at time. The cost: one small message per warm key
 * per interval, and the set of warm keys in one actor's memory.
 */
public final class WarmKeyRegistry extends KckEventSourced<Command, Event, State> {

  private final KeyClient keys;
  private final Duration wakeInterval;
  private final TimerScheduler<Command> timers;

  private final PrimerRegistry primers;
  private final int maxKeys;
  private final Logger log;
  private long refusedWithoutReply;
  private final AtomicInteger counted;

  /**
   * {@code counted}: set to the number of warm keys while this node hosts the registry, else 0 (for
   * the meters). {@code regionStarted}: completes once this node's shard region of the keys runs.
   * The registry loads its keys only then, and stashes what it is sent meanwhile: it wakes every
   * key as soon as it has loaded, and a message to a region that is not started yet fails (a
   * quick journal loads the registry before {@code Engine} has started the region).
   */
  public static Behavior<Command> create(PrimerRegistry primers, Duration wakeInterval, int maxKeys, KeyClient keys,
      AtomicInteger counted, CompletionStage<?> regionStarted) {
    return Behaviors.setup(context -> Behaviors.withStash(maxKeys + 1000, stash -> {
      context.pipeToSelf(regionStarted, (started, failed) -> RegionStarted.INSTANCE);
      return Behaviors.receive(Command.class)
          .onMessageEquals(RegionStarted.INSTANCE, () -> stash.unstashAll(Behaviors.withTimers(
              timers -> new WarmKeyRegistry(context, primers, wakeInterval, maxKeys, timers, keys, counted))))
          .onAnyMessage(early -> {
            stash.stash(early);
            return Behaviors.same();
          })
          .build();
    }));
  }

  private WarmKeyRegistry(
      ActorContext<Command> context,
      PrimerRegistry primers,
      Duration wakeInterval,
      int maxKeys,
      TimerScheduler<Command> timers,
      KeyClient keys,
      AtomicInteger counted) {
    super(PersistenceId.ofUniqueId(JournalNames.WARM_KEYS));
    this.keys = keys;
    this.primers = primers;
    this.maxKeys = maxKeys;
    this.log = context.getLog();
    this.wakeInterval = wakeInterval;
    this.timers = timers;
    this.counted = counted;
  }

  @Override
  public State emptyState() {
    return new State(new HashSet<>());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state.keys().size() > maxKeys) {
                log.warn("{} warm keys, more than kck.freshness.max-warm-keys ({}): no key joins until some leave"
                    + " (Kck.stopKeepingWarm, DELETE /api/warm/<key>)", state.keys().size(), maxKeys);
              }
              wakeAll(state);
              timers.startTimerWithFixedDelay(WakeAll.INSTANCE, wakeInterval);
              counted.set(state.keys().size());
            })
        .onSignal(PostStop.instance(), state -> counted.set(0))
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            Add.class,
            (state, add) -> {
              if (state.keys().contains(add.key())) {
                wake(add.key());
                reply(add.replyTo());
                return Effect().none();
              }
              if (state.keys().size() >= maxKeys) {
                return refuse(add);
              }
              wake(add.key());
              return Effect().persist(new Added(add.key())).thenRun(after -> reply(add.replyTo()));
            })
        .onCommand(
            Remove.class,
            (state, remove) -> {
              if (!state.keys().contains(remove.key())) {
                reply(remove.replyTo());
                return Effect().none();
              }
              return Effect().persist(new Removed(remove.key())).thenRun(after -> reply(remove.replyTo()));
            })
        .onCommand(
            GetKeys.class,
            (state, list) -> {
              list.replyTo().tell(new Listed(Set.copyOf(state.keys())));
              return Effect().none();
            })
        .onCommand(
            WakeAll.class,
            (state, tick) -> {
              wakeAll(state);
              return Effect().none();
            })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Added.class, (state, added) -> {
          state.keys().add(added.key());
          counted.set(state.keys().size());
          return state;
        })
        .onEvent(Removed.class, (state, removed) -> {
          state.keys().remove(removed.key());
          counted.set(state.keys().size());
          return state;
        })
        .build();
  }

  /**
   * Wakes every warm key whose primer this node knows. A key of a primer that is no longer
   * registered stays in the set (the primer may come back) but is not woken: it would only start
   * an actor that refuses every request.
   */
  private void wakeAll(State state) {
    int skipped = 0;
    for (String key : state.keys()) {
      if (primers.find(KeyNames.primerName(key)).isPresent()) {
        wake(key);
      } else {
        skipped++;
      }
    }
    if (skipped > 0) {
      log.debug("Not waking {} warm key(s) whose primer is not registered here", skipped);
    }
  }

  private void wake(String key) {
    keys.tell(key, KeyCommand.Wake.INSTANCE);
  }

  /** The set is full: the caller of keepWarm hears why; a key that joins by itself is logged. */
  private Effect<Event, State> refuse(Add add) {
    String why = "The warm set is full (kck.freshness.max-warm-keys = " + maxKeys + "): key '" + add.key()
        + "' is not kept warm. Stop keeping other keys warm, or raise the limit.";
    if (add.replyTo() != null) {
      add.replyTo().tell(StatusReply.error(why));
    } else if (refusedWithoutReply++ % 1000 == 0) {
      log.warn("{} ({} key(s) refused so far)", why, refusedWithoutReply);
    }
    return Effect().none();
  }

  private static void reply(ActorRef<StatusReply<Done>> replyTo) {
    if (replyTo != null) {
      replyTo.tell(StatusReply.ack());
    }
  }
}
