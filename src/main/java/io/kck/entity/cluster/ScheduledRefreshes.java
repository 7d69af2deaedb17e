package io.kck.entity.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
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
import io.kck.entity.ScheduledTicks.Check;
import io.kck.entity.ScheduledTicks.Command;
import io.kck.entity.ScheduledTicks.Decided;
import io.kck.entity.ScheduledTicks.Describe;
import io.kck.entity.ScheduledTicks.Event;
import io.kck.entity.ScheduledTicks.RegionStarted;
import io.kck.entity.ScheduledTicks.Start;
import io.kck.entity.ScheduledTicks.State;
import io.kck.entity.ScheduledTicks.TickDone;
import io.kck.entity.ScheduledTicks.Ticks;
import io.kck.entity.WarmKeys;
import io.kck.entity.settings.ScheduleSettings;
import io.kck.persistence.JournalNames;
import io.kck.persistence.KckEventSourced;
import io.kck.primer.RefreshSchedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primers' refresh schedules ({@link RefreshSchedule}), as a cluster singleton persisted in
 * KCK's journal: at each tick of a primer's schedule it refreshes that primer's warm keys (those of
 * the {@link WarmKeyRegistry}), once for the whole cluster.
 *
 * <p><b>Once per tick.</b> One node runs the singleton; it journals, per primer, the last tick it
 * dealt with ({@link TickDone}) and runs a tick only when it is later than that. The refreshes are
 * sent before the tick is journaled: a crash between the two (a moment) runs the tick again under
 * {@code run-once}, so a tick runs at least once, and more than once only then.
 *
 * <p><b>Missed ticks.</b> When the singleton starts (the first node of a cluster, or another node
 * after the one that ran it left or crashed), ticks later than the journaled one have passed while
 * no node ran it: the newest of them is run once or skipped, as the schedule's {@code
 * missed-ticks} says. A tick late by less than {@code kck.schedules.late-tick-grace} is late, not
 * missed, and runs whatever the policy: a singleton that moves to another node takes seconds. A
 * schedule seen for the first time owes nothing before it.
 *
 * <p><b>Time.</b> Ticks are computed on KCK's clock; the timer that wakes the singleton waits at
 * most {@link #LONGEST_WAIT}, so that a wall clock that is set (or a laptop that slept) delays a
 * tick by at most that.
 */
public final class ScheduledRefreshes extends KckEventSourced<Command, Event, State> {
  /** The longest the singleton sleeps before it looks at the clock again. */
  static final Duration LONGEST_WAIT = Duration.ofHours(1);
  private static final Logger log = LoggerFactory.getLogger(ScheduledRefreshes.class);
  private static final String TIMER = "tick";

  private final ScheduleSettings settings;
  private final Clock clock;
  private final ActorRef<WarmKeys.Command> warmKeys;
  private final KeyClient keys;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private boolean deciding; // the warm keys for due ticks are being read: other looks wait

  /**
   * {@code regionStarted}: completes once this node's shard region of the keys runs (the
   * singleton refreshes keys only then, and stashes what it is sent meanwhile).
   */
  public static Behavior<Command> create(ScheduleSettings settings, Clock clock, ActorRef<WarmKeys.Command> warmKeys,
      KeyClient keys, CompletionStage<?> regionStarted) {
    return Behaviors.setup(context -> Behaviors.withStash(100, stash -> {
      context.pipeToSelf(regionStarted, (started, failed) -> RegionStarted.INSTANCE);
      return Behaviors.receive(Command.class)
          .onMessageEquals(RegionStarted.INSTANCE, () -> stash.unstashAll(Behaviors.withTimers(
              timers -> new ScheduledRefreshes(settings, clock, warmKeys, keys, context, timers))))
          .onAnyMessage(early -> {
            stash.stash(early);
            return Behaviors.same();
          })
          .build();
    }));
  }

  private ScheduledRefreshes(ScheduleSettings settings, Clock clock, ActorRef<WarmKeys.Command> warmKeys,
      KeyClient keys, ActorContext<Command> context, TimerScheduler<Command> timers) {
    // A journal failure restarts it after a backoff: a stopped singleton would stop every schedule.
    super(PersistenceId.ofUniqueId(JournalNames.SCHEDULES),
        restartsAfterBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1)));
    this.settings = settings;
    this.clock = clock;
    this.warmKeys = warmKeys;
    this.keys = keys;
    this.context = context;
    this.timers = timers;
  }

  @Override
  public State emptyState() {
    return new State(new HashMap<>());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> context.getSelf().tell(Start.INSTANCE))
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Start.class, (state, start) -> dealWithTicks(state, true))
        .onCommand(Check.class, (state, check) -> dealWithTicks(state, false))
        .onCommand(Decided.class, (state, decided) -> onDecided(decided))
        .onCommand(Describe.class, (state, describe) -> {
          describe.replyTo().tell(new Ticks(Map.copyOf(state.done())));
          return Effect().none();
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(TickDone.class, (state, done) -> {
          state.done().put(done.primer(), done);
          return state;
        })
        .build();
  }

  /**
   * Decides, per primer, whether the newest tick later than the one journaled runs or is skipped,
   * and sets the timer for the next tick. Ticks to run wait for the warm keys ({@link Decided});
   * other looks meanwhile wait too, so that no tick is decided twice. {@code starting}: the first
   * look after the singleton started, when ticks that passed may have been missed rather than just
   * come due.
   */
  private Effect<Event, State> dealWithTicks(State state, boolean starting) {
    if (deciding) {
      return Effect().stash();
    }
    Instant now = clock.instant();
    List<TickDone> decided = new ArrayList<>();
    boolean anyToRun = false;
    for (Map.Entry<String, RefreshSchedule> scheduled : settings.schedules().entrySet()) {
      String primer = scheduled.getKey();
      RefreshSchedule schedule = scheduled.getValue();
      TickDone last = state.done().get(primer);
      if (last == null) {
        decided.add(new TickDone(primer, now.toEpochMilli(), false)); // a new schedule owes nothing before now
        continue;
      }
      Optional<Instant> due = schedule.lastTickAtOrBefore(now);
      if (due.isEmpty() || due.get().toEpochMilli() <= last.tickMillis()) {
        continue;
      }
      boolean late = Duration.between(due.get(), now).compareTo(settings.lateTickGrace()) <= 0;
      boolean run = !starting || late || settings.missedTicks(primer) == RefreshSchedule.MissedTicks.RUN_ONCE;
      if (!run) {
        log.info("Primer '{}': skipping the tick of {} ({}), missed while no node ran its schedule"
            + " (missed-ticks = skip)", primer, due.get(), schedule);
      }
      anyToRun |= run;
      decided.add(new TickDone(primer, due.get().toEpochMilli(), run));
    }
    armTimer(now);
    if (!anyToRun) {
      return decided.isEmpty() ? Effect().none() : Effect().persist(new ArrayList<Event>(decided));
    }
    deciding = true;
    context.pipeToSelf(AskPattern.<WarmKeys.Command, WarmKeys.Listed>ask(warmKeys, WarmKeys.GetKeys::new, keys.timeout(),
        context.getSystem().scheduler()).thenApply(WarmKeys.Listed::keys), (warm, error) -> {
          if (error != null) {
            log.warn("The warm keys of the primers whose ticks are due could not be read ({}); those ticks run at"
                + " the next look, within {}", error.toString(), LONGEST_WAIT);
          }
          return new Decided(decided, warm);
        });
    return Effect().none();
  }

  /**
   * Sends the refreshes of the ticks that run, then journals every decided tick: a crash between
   * the two runs a tick again at start (run-once), never loses one. Without the warm keys, only the
   * skipped ticks are journaled, and the others are due again at the next look.
   */
  private Effect<Event, State> onDecided(Decided decided) {
    deciding = false;
    List<Event> journaled = new ArrayList<>();
    for (TickDone tick : decided.ticks()) {
      if (tick.ran() && decided.warmKeys() == null) {
        continue;
      }
      if (tick.ran()) {
        refreshWarmKeys(tick.primer(), decided.warmKeys(), Instant.ofEpochMilli(tick.tickMillis()));
      }
      journaled.add(tick);
    }
    return journaled.isEmpty() ? Effect().unstashAll() : Effect().persist(journaled).thenUnstashAll();
  }

  /** Asks the warm keys of {@code primer} to refresh; failures are logged once per tick. */
  private void refreshWarmKeys(String primer, Set<String> warm, Instant tick) {
    List<CompletableFuture<?>> refreshes = new ArrayList<>();
    for (String key : warm) {
      if (KeyNames.primerName(key).equals(primer)) {
        refreshes.add(keys.ask(key, KeyCommand.Refresh::new).toCompletableFuture());
      }
    }
    log.info("Primer '{}': refreshing {} warm key(s), tick of {}", primer, refreshes.size(), tick);
    CompletableFuture.allOf(refreshes.toArray(CompletableFuture[]::new)).whenComplete((all, failed) -> {
      long failures = refreshes.stream().filter(CompletableFuture::isCompletedExceptionally).count();
      if (failures > 0) {
        log.warn("Primer '{}': {} of {} warm key(s) failed to refresh at the tick of {}; they keep their"
            + " values and try again at the next tick", primer, failures, refreshes.size(), tick);
      }
    });
  }

  /** The timer for the soonest next tick of any schedule (or {@link #LONGEST_WAIT} at most). */
  private void armTimer(Instant now) {
    Duration wait = LONGEST_WAIT;
    for (RefreshSchedule schedule : settings.schedules().values()) {
      Optional<Instant> next = schedule.nextTickAfter(now);
      if (next.isPresent()) {
        Duration until = Duration.between(now, next.get());
        if (until.compareTo(wait) < 0) {
          wait = until;
        }
      }
    }
    timers.startSingleTimer(TIMER, Check.INSTANCE, wait.isNegative() ? Duration.ZERO : wait);
  }
}
