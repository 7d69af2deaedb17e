package io.kck.entity;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.kck.HookEvent;
import io.kck.KckException;
import io.kck.entity.KeyCommand.AgeReached;
import io.kck.entity.KeyCommand.BackoffOver;
import io.kck.entity.KeyCommand.CoalesceOver;
import io.kck.entity.KeyCommand.ComputeDone;
import io.kck.entity.KeyCommand.ComputeTimedOut;
import io.kck.entity.KeyCommand.CycleProbe;
import io.kck.entity.KeyCommand.DependentGone;
import io.kck.entity.KeyCommand.Get;
import io.kck.entity.KeyCommand.InputChanged;
import io.kck.entity.KeyCommand.Inspect;
import io.kck.entity.KeyCommand.Invalidate;
import io.kck.entity.KeyCommand.Passivate;
import io.kck.entity.KeyCommand.Put;
import io.kck.entity.KeyCommand.Read;
import io.kck.entity.KeyCommand.Refresh;
import io.kck.entity.KeyCommand.RefreshDue;
import io.kck.entity.KeyCommand.Unwatch;
import io.kck.entity.KeyCommand.Wake;
import io.kck.entity.KeyCommand.Watch;
import io.kck.entity.KeyEvent.DependentAdded;
import io.kck.entity.KeyEvent.DependentRemoved;
import io.kck.entity.KeyEvent.Origin;
import io.kck.entity.KeyEvent.ValueConfirmed;
import io.kck.entity.KeyEvent.ValueDropped;
import io.kck.entity.KeyEvent.ValueOutdated;
import io.kck.entity.KeyEvent.ValueStored;
import io.kck.persistence.StoredValue;
import io.kck.persistence.ValueCodec;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.Propagation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The actor of one key: a Cluster Sharding entity whose id is the key's canonical text, event
 * sourced into the journal. It owns the key's value, version and computed-at time; nothing else
 * changes them.
 *
 * <p><b>Single flight.</b> At most one compute of the key runs at a time. Requests that need a
 * value wait in {@code waiters}, each for the first compute attempt that satisfies it: a get for
 * the running attempt (or the next one, if none runs), a refresh for an attempt that starts after
 * the refresh arrived. When an attempt ends, every waiter it satisfies gets the same answer.
 *
 * <p><b>Off the actor.</b> Computes run on the {@link ComputeExecutor}; the result comes back as
 * {@link ComputeDone}, tagged with its attempt number so that a late answer (after a timeout, an
 * invalidation or a put) is recognised and discarded.
 *
 * <p><b>Failures.</b> A failed or timed-out compute fails its waiters and starts a backoff;
 * during it a get of a key without a value fails at once with the last failure, and after it the
 * next get computes again. Nothing is journaled for a failure.
 *
 * <p><b>Dependencies.</b> A compute reads other keys with {@link Read}s ({@link TrackedReads}); the
 * key read records the reader as a dependent (journaled) before it answers. A new value is told to
 * every dependent ({@link InputChanged}), which recomputes ({@link Propagation#EAGER}) or marks
 * itself outdated and tells its own dependents ({@link Propagation#LAZY}). A recompute that
 * produces the value the key already had keeps the version and tells nobody (early cutoff). Each
 * change carries its cause, the upstream versions behind it; a compute started for it requires
 * them of every read, and a key read with a requirement its value has not seen brings itself up to
 * date first: that is what keeps a diamond's bottom from mixing old and new inputs.
 */
public final class KeyEntity extends EventSourcedBehavior<KeyCommand, KeyEvent, KeyState> {

  /** The sharding entity type of every key. */
  public static final EntityTypeKey<KeyCommand> TYPE_KEY =
      EntityTypeKey.create(KeyCommand.class, "kck-key");

  /** KCK's persistence plugins (reference.conf): its own, apart from the application's. */
  public static final String JOURNAL_PLUGIN = "kck.journal";
  public static final String SNAPSHOT_PLUGIN = "kck.snapshot-store";

  private static final String TIMEOUT_TIMER = "compute-timeout";
  private static final String BACKOFF_TIMER = "backoff";
  private static final String COALESCE_TIMER = "coalesce";
  // Computes in a row whose reads saw two versions of one product before one is stored anyway.
  private static final int MAX_INCONSISTENT_ATTEMPTS = 3;

  private final Key<?> key;
  private final Primer<Object> primer;
  private final ValueCodec codec;
  private final KeyRuntime runtime;
  private final ActorContext<KeyCommand> context;
  private final TimerScheduler<KeyCommand> timers;
  private final Duration computeTimeout;
  private final FreshnessClock clock;
  private final Duration staleIfError;
  private final Propagation propagation;
  private final Observers observers;
  private final boolean computeOnMiss;
  private final Deltas deltas;

  // Transient: what is running and who waits. A new incarnation starts with none of it.
  private long nextAttempt = 1;
  private InFlight inFlight;
  private final List<Waiter> waiters = new ArrayList<>();
  // Callers of a put or invalidation whose event is being written: answered once it is.
  private final List<ActorRef<KeyReply>> writing = new ArrayList<>();
  private int consecutiveFailures;
  private Problem lastFailure;
  private Instant retryAt;
  private boolean stopWhenIdle;
  // Freshness: when the periodic timer fires next, and how far a max-age value has aged.
  private boolean registeredWarm;
  // Dependencies: upstream versions the next compute must see; changes heard during a compute.
  private final Map<String, Long> required = new HashMap<>();
  private final Map<String, Long> changedWhileComputing = new HashMap<>();
  // Eager: a recompute started within the coalescing window; another is due at its end.
  private boolean coalescing;
  private boolean recomputeDue;
  private int inconsistentAttempts;
  // What this key last published for local hits, and for which state.
  private EntryData published;
  private KeyState publishedFor;
  private Instant publishedNext;

  private KeyState entryState;
  private KeyReply.Ok entryReply;

  /**
   * A compute in progress; {@code superseded} once a put or invalidation made its result moot.
   * {@code promised}: the upstream versions its reads require.
   */
  private static final class InFlight {
    final long attempt;
    final Map<String, Long> promised;
    final TrackedReads reads;
    // Deltas applied while it runs: applied again on top of its result.
    final List<Object> deltas = new ArrayList<>();
    ComputeExecutor.Task task;
    boolean superseded;

    InFlight(long attempt, Map<String, Long> promised, TrackedReads reads) {
      this.attempt = attempt;
      this.promised = promised;
      this.reads = reads;
    }
  }

  /**
   * A caller waiting for the first attempt numbered {@code minAttempt} or later. A get accepts the
   * last good value (stale-if-error) when that attempt fails; a refresh does not.
   */
  private record Waiter(ActorRef<KeyReply> replyTo, long minAttempt, boolean acceptsStale) {}

  /**
   * The behavior of the key {@code keyText}. A text that does not parse as a canonical key of a
   * registered primer gives an actor that refuses every request with {@link
   * Problem.Kind#INVALID_KEY} and touches no journal (the facade validates keys before sending, so
   * this is for Akka users and for nodes that lack a primer).
   */
  public static Behavior<KeyCommand> create(String keyText, KeyRuntime runtime) {
    Key<?> key;
    try {
      key = runtime.primers().parse(keyText);
    } catch (KckException e) {
      return refusing(Problem.of(Problem.Kind.INVALID_KEY, e.getMessage(), e));
    }
    if (!key.text().equals(keyText)) {
      return refusing(
          Problem.of(
              Problem.Kind.INVALID_KEY,
              "Key '" + keyText + "' is not in canonical form; its canonical form is '" + key.text() + "'",
              null));
    }
    return Behaviors.setup(
        context -> Behaviors.withTimers(timers -> new KeyEntity(key, runtime, context, timers)));
  }

  @SuppressWarnings("unchecked")
  private KeyEntity(
      Key<?> key, KeyRuntime runtime, ActorContext<KeyCommand> context, TimerScheduler<KeyCommand> timers) {
    // A journal failure (write or recovery) restarts the key after a backoff instead of stopping
    // it: a stopped entity races with the next request, which sharding may still hand to the dead
    // actor (lost until its caller times out); a restarting one keeps its mailbox and buffer.
    super(
        PersistenceId.of(TYPE_KEY.name(), key.text()),
        SupervisorStrategy.restartWithBackoff(
            runtime.settings().journalBackoffMin(), runtime.settings().journalBackoffMax(), 0.2));
    this.key = key;
    this.primer = (Primer<Object>) key.primer();
    this.codec = runtime.codec(primer);
    this.runtime = runtime;
    this.context = context;
    this.timers = timers;
    this.computeTimeout = runtime.settings().computeTimeout(primer);
    this.clock = new FreshnessClock(runtime.settings().freshness(primer), timers);
    this.staleIfError = runtime.settings().staleIfError(primer);
    this.propagation = runtime.settings().propagation(primer);
    this.observers = new Observers(key.text(), primer.name(), runtime.hooks());
    this.computeOnMiss = runtime.settings().computeOnMiss(primer);
    this.deltas = new Deltas(key, codec, runtime.deltaCodec(primer));
  }

  @Override
  public KeyState emptyState() {
    return KeyState.EMPTY;
  }

  @Override
  public String journalPluginId() {
    return JOURNAL_PLUGIN;
  }

  @Override
  public String snapshotPluginId() {
    return SNAPSHOT_PLUGIN;
  }

  /**
   * Snapshot every {@code kck.entity.snapshot-every} events; keys of a primer with augment every
   * {@code kck.augment.snapshot-every} events (their events are mostly small deltas, and a
   * snapshot writes the whole value), or sooner by {@link #shouldSnapshot}.
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    EntitySettings settings = runtime.settings();
    int every = deltas.supported() ? settings.augmentSnapshotEvery() : settings.snapshotEvery();
    return RetentionCriteria.snapshotEvery(every, settings.keepSnapshots()).withDeleteEventsOnSnapshot();
  }

  /** An augmented key also snapshots once the deltas since its last snapshot pass a byte budget. */
  @Override
  public boolean shouldSnapshot(KeyState state, KeyEvent event, long sequenceNr) {
    // At retention's own snapshots the byte count starts over too.
    boolean retentionSnapshot = sequenceNr % runtime.settings().augmentSnapshotEvery() == 0;
    return deltas.snapshotDue(runtime.settings().augmentSnapshotBytes(), retentionSnapshot) && state.hasValue();
  }

  @Override
  public Optional<Integer> stashCapacity() {
    return Optional.of(runtime.settings().stashCapacity());
  }

  @Override
  public EventHandler<KeyState, KeyEvent> eventHandler() {
    return this::applyEvent;
  }

  private KeyState applyEvent(KeyState state, KeyEvent event) {
    if (event instanceof KeyEvent.DeltaApplied applied) {
      return deltas.applyEvent(state, applied);
    }
    return state.apply(event);
  }

  @Override
  public SignalHandler<KeyState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .onSignal(PostStop.instance(), state -> onStop())
        .onSignal(PreRestart.instance(), state -> onStop())
        .build();
  }

  /**
   * One handler that switches on the command, rather than Akka's builder: the builder keeps a case
   * object and two lambdas per command type in every entity, about a kilobyte per key.
   */
  @Override
  public CommandHandler<KeyCommand, KeyEvent, KeyState> commandHandler() {
    return this::onCommand;
  }

  private Effect<KeyEvent, KeyState> onCommand(KeyState state, KeyCommand command) {
    Effect<KeyEvent, KeyState> effect = dispatch(state, command);
    publish(state);
    return effect;
  }

  private Effect<KeyEvent, KeyState> dispatch(KeyState state, KeyCommand command) {
    if (command instanceof Get get) {
      return onGet(state, get);
    } else if (command instanceof Refresh refresh) {
      return onRefresh(state, refresh);
    } else if (command instanceof Put put) {
      return onPut(state, put);
    } else if (command instanceof Invalidate invalidate) {
      return onInvalidate(state, invalidate);
    } else if (command instanceof Inspect inspect) {
      return onInspect(state, inspect);
    } else if (command instanceof ComputeDone done) {
      return onComputeDone(state, done);
    } else if (command instanceof ComputeTimedOut timedOut) {
      return onComputeTimedOut(state, timedOut);
    } else if (command instanceof BackoffOver) {
      return onBackoffOver();
    } else if (command instanceof Wake) {
      return onWake(state);
    } else if (command instanceof RefreshDue) {
      return onRefreshDue(state);
    } else if (command instanceof AgeReached reached) {
      return onAgeReached(state, reached);
    } else if (command instanceof Passivate) {
      return onPassivate();
    } else if (command instanceof KeyCommand.Augment augmenting) {
      return onAugment(state, augmenting);
    } else if (command instanceof Read read) {
      return onRead(state, read);
    } else if (command instanceof InputChanged changed) {
      return onInputChanged(state, changed);
    } else if (command instanceof KeyCommand.CheckInput check) {
      return onCheckInput(state, check);
    } else if (command instanceof DependentGone gone) {
      return onDependentGone(state, gone);
    } else if (command instanceof CycleProbe probe) {
      return onCycleProbe(probe);
    } else if (command instanceof KeyCommand.Outdate outdate) {
      return onOutdate(state, outdate);
    } else if (command instanceof CoalesceOver) {
      return onCoalesceOver(state);
    } else if (command instanceof Watch watch) {
      return onWatch(state, watch);
    } else if (command instanceof Unwatch unwatch) {
      observers.unwatch(unwatch.listener());
      return Effect().none();
    }
    throw new IllegalArgumentException("Unknown command " + command);
  }

  private Effect<KeyEvent, KeyState> onGet(KeyState state, Get get) {
    if (!state.hasValue() && !(get.computeOnMiss() && computeOnMiss)) {
      get.replyTo().tell(new KeyReply.Failed(Problem.of(Problem.Kind.NOT_CACHED,
          "Key '" + key + "' has no value (" + state.status().name().toLowerCase(java.util.Locale.ROOT) + ")"
              + (computeOnMiss ? " and the get asked not to compute one" : " and " + primer + " does not compute on a miss"),
          null)));
      return Effect().none();
    }
    serve(state, get.replyTo(), Map.of(), null);
    return Effect().none();
  }

  /**
   * Answers a get or a read: at once from a value that is fresh and has seen {@code needs}, else
   * after the compute it takes. {@code path}: the computes that wait on this answer (for a read),
   * given to a compute this starts.
   */
  private void serve(KeyState state, ActorRef<KeyReply> replyTo, Map<String, Long> needs, List<String> path) {
    if (!state.hasValue()) {
      if (retryAt != null) {
        replyTo.tell(new KeyReply.Failed(backingOff()));
      } else {
        Lineage.mergeInto(required, needs);
        waiters.add(new Waiter(replyTo, currentOrNextAttempt(state, needs), true));
        startComputeIfNeeded(state, path);
      }
      return;
    }
    if (state.outdated() || !Lineage.satisfies(state.lineage(), needs)) {
      // Behind its inputs: this caller must not see the old value, whatever the freshness policy.
      Map<String, Long> outstanding = Lineage.merged(state.outdatedBy(), needs);
      Lineage.mergeInto(required, outstanding);
      awaitNewValue(state, replyTo, currentOrNextAttempt(state, outstanding), path);
    } else if (clock.alwaysFresh()) {
      // A compute that starts after this get: nextAttempt has not started yet.
      awaitNewValue(state, replyTo, nextAttempt, path);
    } else if (clock.hardAgeReached()) {
      awaitNewValue(state, replyTo, currentOrNextAttempt(state, Map.of()), path);
    } else if (clock.softAgeReached()) {
      replyTo.tell(entry(state, true));
      if (inFlight == null && retryAt == null) {
        startCompute(state, null); // stale-while-revalidate: one background refresh
      }
    } else if (lastFailure != null) {
      // The refresh meant to replace this value failed: stale-if-error, up to its limit.
      replyTo.tell(staleOrFailure(state, lastFailure));
    } else {
      replyTo.tell(entry(state, false));
    }
  }

  /** A caller that needs a newer value than the key has: wait for it, unless the key backs off. */
  private void awaitNewValue(KeyState state, ActorRef<KeyReply> replyTo, long minAttempt, List<String> path) {
    if (retryAt != null) {
      replyTo.tell(staleOrFailure(state, backingOff()));
      return;
    }
    waiters.add(new Waiter(replyTo, minAttempt, true));
    startComputeIfNeeded(state, path);
  }

  /**
   * The attempt a caller joins: the running one, unless a put or invalidation made it moot or it
   * was started without the upstream versions the caller needs.
   */
  private long currentOrNextAttempt(KeyState state, Map<String, Long> needs) {
    return inFlight != null && !inFlight.superseded && Lineage.covers(inFlight.promised, needs, state.lineage())
        ? inFlight.attempt
        : nextAttempt;
  }

  /** The last good value while it is young enough for stale-if-error; otherwise the failure. */
  private KeyReply staleOrFailure(KeyState state, Problem problem) {
    if (state.hasValue()
        && Duration.between(state.computedAt(), Instant.now()).compareTo(staleIfError) <= 0) {
      return entry(state, true);
    }
    return new KeyReply.Failed(problem);
  }

  private Effect<KeyEvent, KeyState> onRefresh(KeyState state, Refresh refresh) {
    observers.hook(HookEvent.Action.REFRESH, HookEvent.Phase.BEFORE, state.version(), null, null);
    // nextAttempt has not started yet, whether or not a compute runs: it starts after this arrived.
    waiters.add(new Waiter(refresh.replyTo(), nextAttempt, false));
    startComputeIfNeeded(state, null);
    return Effect().none();
  }

  private Effect<KeyEvent, KeyState> onPut(KeyState state, Put put) {
    observers.hook(HookEvent.Action.PUT, HookEvent.Phase.BEFORE, state.version(), null, null);
    if (inFlight != null) {
      inFlight.superseded = true;
    }
    // A put replaces the value, not the key's edges: the next change of an input recomputes it.
    ValueStored stored =
        new ValueStored(state.version() + 1, Instant.now(), put.value(), Origin.PUT, state.inputs(), state.lineage());
    writing.add(put.replyTo());
    return Effect()
        .persist(stored)
        .thenRun(
            (KeyState after) -> {
              clearBackoff();
              onNewValue(after);
              announce(after, null);
              observers.hook(HookEvent.Action.PUT, HookEvent.Phase.AFTER, after.version(), null, null);
              KeyReply.Ok reply = entry(after, false);
              publish(after);
              writing.remove(put.replyTo());
              put.replyTo().tell(reply);
              // The put's value is newer than anything these callers asked for.
              waiters.forEach(waiter -> waiter.replyTo().tell(reply));
              waiters.clear();
              stopIfRequested();
            });
  }

  private Effect<KeyEvent, KeyState> onAugment(KeyState state, KeyCommand.Augment augmenting) {
    observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.BEFORE, state.version(), null, null);
    Problem refused = null;
    if (!deltas.supported()) {
      refused = Problem.of(Problem.Kind.INVALID_VALUE,
          "Cannot augment key '" + key + "': " + primer + " declares no augment()", null);
    } else if (!state.hasValue()) {
      refused = Problem.of(Problem.Kind.NOTHING_TO_AUGMENT,
          "Cannot augment key '" + key + "': it has no value (" + state.status().name().toLowerCase(java.util.Locale.ROOT)
              + "); get or put it first. Nothing was applied", null);
    } else if (augmenting.expectedVersion() != KeyCommand.Augment.ANY_VERSION
        && augmenting.expectedVersion() != state.version()) {
      refused = Problem.of(Problem.Kind.VERSION_CONFLICT,
          "Cannot augment key '" + key + "' at version " + augmenting.expectedVersion()
              + ": its current version is " + state.version() + ". Nothing was applied", null);
    }
    if (refused != null) {
      augmenting.replyTo().tell(new KeyReply.Failed(refused));
      observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.AFTER, 0, null, refused.toException(key.text()));
      return Effect().none();
    }
    Object delta;
    StoredValue next;
    try {
      delta = deltas.decode(augmenting.delta());
      next = deltas.apply(state, delta);
    } catch (RuntimeException e) {
      Problem rejected = Problem.of(Problem.Kind.INVALID_VALUE,
          "Cannot augment key '" + key + "': the delta was rejected: " + e + ". Nothing was applied", e);
      augmenting.replyTo().tell(new KeyReply.Failed(rejected));
      observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.AFTER, 0, null, rejected.toException(key.text()));
      return Effect().none();
    }
    KeyEvent.DeltaApplied applied =
        new KeyEvent.DeltaApplied(state.version() + 1, Instant.now(), augmenting.delta(), state.inputs(), state.lineage());
    return persistDelta(state, applied, delta, next, augmenting.replyTo());
  }

  /** Journals a delta whose result is {@code next}; {@code replyTo} (may be null) gets the entry. */
  private Effect<KeyEvent, KeyState> persistDelta(
      KeyState state, KeyEvent.DeltaApplied applied, Object delta, StoredValue next, ActorRef<KeyReply> replyTo) {
    deltas.prepare(applied, next);
    if (inFlight != null && !inFlight.superseded) {
      inFlight.deltas.add(delta); // its result has not seen this delta: applied again on top of it
    }
    if (replyTo != null) {
      writing.add(replyTo);
    }
    long base = state.version();
    return Effect()
        .persist(applied)
        .thenRun(
            (KeyState after) -> {
              announce(after, new KeyCommand.InputDelta(base, applied.delta()));
              observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.AFTER, after.version(), delta, null);
              publish(after);
              if (replyTo != null) {
                writing.remove(replyTo);
                replyTo.tell(entry(after, false));
              }
              stopIfRequested();
            });
  }

  private Effect<KeyEvent, KeyState> onInvalidate(KeyState state, Invalidate invalidate) {
    observers.hook(HookEvent.Action.INVALIDATE, HookEvent.Phase.BEFORE, state.version(), null, null);
    clearBackoff();
    if (inFlight != null && !inFlight.superseded) {
      // The running compute may have read data the invalidation declares outdated: its waiters
      // get the next one instead.
      inFlight.superseded = true;
      waiters.replaceAll(
          waiter -> new Waiter(waiter.replyTo(), Math.max(waiter.minAttempt(), nextAttempt), waiter.acceptsStale()));
    }
    if (!state.hasValue()) {
      invalidate.replyTo().tell(entry(state, false));
      return Effect().none();
    }
    writing.add(invalidate.replyTo());
    return Effect()
        .persist(new ValueDropped(Instant.now()))
        .thenRun(
            (KeyState after) -> {
              publish(after);
              writing.remove(invalidate.replyTo());
              invalidate.replyTo().tell(entry(after, false));
              observers.hook(HookEvent.Action.INVALIDATE, HookEvent.Phase.AFTER, after.version(), null, null);
              // Dependents made from the dropped value need the next one.
              tellDependents(after, Map.of(key.text(), after.version() + 1), true);
            });
  }

  private Effect<KeyEvent, KeyState> onInspect(KeyState state, Inspect inspect) {
    inspect.replyTo().tell(
        new KeyStatus(
            key.text(), state.status(), state.version(),
            inFlight == null ? 0 : inFlight.attempt, waiters.size(), retryAt,
            state.outdated(), state.inputs(), state.dependents(), state.computedAt(), observers.lastHookFailure()));
    return Effect().none();
  }

  private Effect<KeyEvent, KeyState> onComputeDone(KeyState state, ComputeDone done) {
    if (inFlight == null || inFlight.attempt != done.attempt()) {
      return Effect().none(); // timed out earlier; its waiters have had their answer
    }
    timers.cancel(TIMEOUT_TIMER);
    InFlight finished = inFlight;
    inFlight = null;
    if (finished.superseded) {
      startComputeIfNeeded(state, null);
      stopIfRequested();
      return Effect().none();
    }
    if (done.problem() != null) {
      changedWhileComputing.clear();
      onFailure(state, finished.attempt, done.problem());
      return Effect().none();
    }
    TrackedReads.Result reads = done.reads();
    if (reads.inconsistent() && inconsistentAttempts < MAX_INCONSISTENT_ATTEMPTS) {
      // Its reads saw two versions of one upstream product: compute again, requiring the newer.
      inconsistentAttempts++;
      Lineage.mergeInto(required, reads.lineage());
      waiters.replaceAll(
          waiter -> new Waiter(waiter.replyTo(), Math.max(waiter.minAttempt(), nextAttempt), waiter.acceptsStale()));
      startCompute(state, null);
      return Effect().none();
    }
    inconsistentAttempts = 0;
    Instant now = Instant.now();
    StoredValue value = done.value();
    if (!finished.deltas.isEmpty()) {
      // Deltas applied while it ran are newer than what it read: apply them again on its result.
      try {
        value = deltas.reapply(value, finished.deltas);
      } catch (RuntimeException e) {
        onFailure(state, finished.attempt, Problem.of(Problem.Kind.COMPUTE_FAILED,
            "Compute of key '" + key + "' finished, but the deltas applied meanwhile do not apply to its result: " + e, e));
        return Effect().none();
      }
    } else if (state.hasValue() && done.value().equals(state.value())) {
      // Early cutoff: same value, same version, nobody to tell.
      return Effect()
          .persist(new ValueConfirmed(now, reads.inputs(), reads.lineage()))
          .thenRun((KeyState after) -> afterComputed(state, after, finished.attempt));
    }
    ValueStored stored =
        new ValueStored(state.version() + 1, now, value, Origin.COMPUTED, reads.inputs(), reads.lineage());
    return Effect()
        .persist(stored)
        .thenRun(
            (KeyState after) -> {
              announce(after, null);
              afterComputed(state, after, finished.attempt);
            });
  }

  /** A computed value (new or confirmed) is journaled: answer, move the edges, react to news. */
  private void afterComputed(KeyState before, KeyState after, long attempt) {
    clearBackoff();
    onNewValue(after);
    observers.hook(HookEvent.Action.COMPUTE, HookEvent.Phase.AFTER, after.version(), null, null);
    publish(after);
    answer(attempt, entry(after, false));
    for (String input : before.inputs().keySet()) {
      if (!after.inputs().containsKey(input)) {
        runtime.key(input).tell(new DependentGone(key.text()));
      }
    }
    Lineage.prune(required, after.lineage());
    if (!changedWhileComputing.isEmpty()) {
      Map<String, Long> cause = new HashMap<>(changedWhileComputing);
      changedWhileComputing.clear();
      if (!Lineage.satisfies(after.lineage(), cause)) {
        // An input changed after the compute read it: this value is already behind.
        Lineage.mergeInto(required, cause);
        context.getSelf().tell(new KeyCommand.Outdate(cause));
      }
    }
    if (recomputeDue && !coalescing) {
      recomputeDue = false;
      recomputeSoon(after);
    }
    startComputeIfNeeded(after, null);
    stopIfRequested();
  }

  /** Tells dependents and listeners of a new version ({@code delta}: how it was made, if by a delta). */
  private void announce(KeyState state, KeyCommand.InputDelta delta) {
    tellDependents(state, state.lineageWith(key.text()), false, delta);
    observers.changed(() -> entry(state, false).entry());
  }

  private void tellDependents(KeyState state, Map<String, Long> cause, boolean outdated) {
    tellDependents(state, cause, outdated, null);
  }

  private void tellDependents(
      KeyState state, Map<String, Long> cause, boolean outdated, KeyCommand.InputDelta delta) {
    if (state.dependents().isEmpty()) {
      return;
    }
    InputChanged changed = new InputChanged(key.text(), state.version(), cause, outdated, delta);
    for (String dependent : state.dependents()) {
      runtime.key(dependent).tell(changed);
    }
  }

  /**
   * A tracked read from another key's compute. The reader becomes a dependent (journaled) before
   * it gets its answer, so no change after the read can miss it.
   */
  private Effect<KeyEvent, KeyState> onRead(KeyState state, Read read) {
    if (state.dependents().contains(read.reader())) {
      serveRead(state, read);
      return Effect().none();
    }
    writing.add(read.replyTo());
    return Effect()
        .persist(new DependentAdded(read.reader()))
        .thenRun(
            (KeyState after) -> {
              writing.remove(read.replyTo());
              serveRead(after, read);
            });
  }

  private void serveRead(KeyState state, Read read) {
    if (!state.hasValue() && !computeOnMiss) {
      read.replyTo().tell(new KeyReply.Failed(Problem.of(Problem.Kind.NOT_CACHED,
          "Key '" + key + "' has no value and " + primer + " does not compute on a miss (read by '"
              + read.reader() + "')", null)));
      return;
    }
    InFlight running = inFlight;
    List<String> path = new ArrayList<>(read.path());
    path.add(key.text());
    serve(state, read.replyTo(), read.required(), path);
    if (running != null && inFlight == running && running.reads.waitingOn() != null
        && waiters.stream().anyMatch(waiter -> waiter.replyTo().equals(read.replyTo()))) {
      // The reader now waits on a compute that itself waits on another key: if that chain leads
      // back to the reader, the computes wait on each other. A probe follows the chain to find out.
      runtime.key(running.reads.waitingOn()).tell(new CycleProbe(List.of(read.reader(), key.text())));
    }
  }

  /** An input has a new version (or was marked outdated). */
  private Effect<KeyEvent, KeyState> onInputChanged(KeyState state, InputChanged changed) {
    if (inFlight != null) {
      // The running compute may or may not have read the new version; decided when it is done.
      Lineage.mergeInto(changedWhileComputing, changed.cause());
      return Effect().none();
    }
    if (!state.inputs().containsKey(changed.input())) {
      runtime.key(changed.input()).tell(new DependentGone(key.text()));
      return Effect().none();
    }
    if (Lineage.satisfies(state.lineage(), changed.cause()) && !(changed.outdated() && !state.hasValue())) {
      return Effect().none(); // old news: this value was made from that version or a newer one
    }
    Effect<KeyEvent, KeyState> followed = followDelta(state, changed);
    if (followed != null) {
      return followed;
    }
    Lineage.mergeInto(required, changed.cause());
    return outdate(state, changed.cause());
  }

  /**
   * An input changed by a delta, and this key has seen exactly the version before it: when the
   * primer turns the input's delta into one of its own, the key is updated in place. Null when it
   * cannot (then it reacts by its propagation policy).
   */
  private Effect<KeyEvent, KeyState> followDelta(KeyState state, InputChanged changed) {
    KeyCommand.InputDelta inputDelta = changed.delta();
    if (inputDelta == null || !deltas.supported() || !state.hasValue() || state.outdated() || retryAt != null
        || !Long.valueOf(inputDelta.base()).equals(state.inputs().get(changed.input()))) {
      return null;
    }
    try {
      Key<?> input = runtime.primers().parse(changed.input());
      ValueCodec inputDeltas = runtime.deltaCodec(input.primer());
      if (inputDeltas == null) {
        return null;
      }
      Optional<Object> own = deltas.deltaFor(input, inputDelta.delta().value(inputDeltas));
      if (own.isEmpty()) {
        return null;
      }
      Object delta = own.get();
      observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.BEFORE, state.version(), delta, null);
      StoredValue next = deltas.apply(state, delta);
      Map<String, Long> inputs = new HashMap<>(state.inputs());
      inputs.put(changed.input(), changed.version());
      KeyEvent.DeltaApplied applied =
          new KeyEvent.DeltaApplied(state.version() + 1, Instant.now(), deltas.encode(delta),
              inputs, Lineage.merged(state.lineage(), changed.cause()));
      return persistDelta(state, applied, delta, next, null);
    } catch (RuntimeException e) {
      context.getLog().warn("Key '{}' could not follow the delta of '{}'; it reacts as to any update: {}",
          key, changed.input(), e.toString());
      return null;
    }
  }

  private Effect<KeyEvent, KeyState> onOutdate(KeyState state, KeyCommand.Outdate outdate) {
    if (inFlight != null) {
      Lineage.mergeInto(changedWhileComputing, outdate.cause());
      return Effect().none();
    }
    return Lineage.satisfies(state.lineage(), outdate.cause()) ? Effect().none() : outdate(state, outdate.cause());
  }

  /** The key's value is behind {@code cause}: recompute (eager) or mark it outdated (lazy). */
  private Effect<KeyEvent, KeyState> outdate(KeyState state, Map<String, Long> cause) {
    if (propagation == Propagation.EAGER) {
      recomputeSoon(state);
      return Effect().none();
    }
    if (!state.hasValue() || (state.outdated() && Lineage.satisfies(state.outdatedBy(), cause))) {
      return Effect().none(); // nothing to mark, or already marked for this
    }
    return Effect()
        .persist(new ValueOutdated(cause))
        .thenRun((KeyState after) -> {
          publish(after);
          tellDependents(after, after.outdatedBy(), true);
        });
  }

  /**
   * An eager recompute: now, unless one started within the coalescing window; then once at its
   * end, for every change that arrived meanwhile.
   */
  private void recomputeSoon(KeyState state) {
    if (inFlight != null || coalescing) {
      recomputeDue = true;
      return;
    }
    startCompute(state, null);
    Duration window = runtime.settings().coalesceWindow();
    if (!window.isZero()) {
      coalescing = true;
      timers.startSingleTimer(COALESCE_TIMER, CoalesceOver.INSTANCE, window);
    }
  }

  private Effect<KeyEvent, KeyState> onCoalesceOver(KeyState state) {
    coalescing = false;
    if (recomputeDue && inFlight == null) {
      recomputeDue = false;
      recomputeSoon(state);
    }
    stopIfRequested();
    return Effect().none();
  }

  private Effect<KeyEvent, KeyState> onDependentGone(KeyState state, DependentGone gone) {
    if (!state.dependents().contains(gone.dependent())) {
      return Effect().none();
    }
    return Effect().persist(new DependentRemoved(gone.dependent()));
  }

  /** See {@link CycleProbe}. */
  private Effect<KeyEvent, KeyState> onCycleProbe(CycleProbe probe) {
    String next = inFlight == null ? null : inFlight.reads.waitingOn();
    if (next == null) {
      return Effect().none(); // this key's compute waits on nobody: no cycle through it
    }
    int at = probe.path().indexOf(key.text());
    if (at >= 0) {
      List<String> cycle = new ArrayList<>(probe.path().subList(at, probe.path().size()));
      cycle.add(key.text());
      inFlight.reads.abort(
          new io.kck.DependencyCycleException(
              key.text(),
              "Dependency cycle: " + String.join(" -> ", cycle)
                  + " (a product may not read itself, directly or through other products)"));
    } else {
      List<String> path = new ArrayList<>(probe.path());
      path.add(key.text());
      runtime.key(next).tell(new CycleProbe(path));
    }
    return Effect().none();
  }

  private Effect<KeyEvent, KeyState> onWatch(KeyState state, Watch watch) {
    observers.watch(watch.listener(), state.hasValue() ? entry(state, false).entry() : null);
    return Effect().none();
  }

  private Effect<KeyEvent, KeyState> onComputeTimedOut(KeyState state, ComputeTimedOut timedOut) {
    if (inFlight == null || inFlight.attempt != timedOut.attempt()) {
      return Effect().none();
    }
    InFlight abandoned = inFlight;
    inFlight = null;
    abandoned.task.cancel();
    if (abandoned.superseded) {
      startComputeIfNeeded(state, null);
    } else {
      onFailure(
          state,
          abandoned.attempt,
          Problem.of(
              Problem.Kind.COMPUTE_TIMEOUT,
              "Compute of key '" + key + "' did not finish within " + computeTimeout
                  + "; it was interrupted",
              null));
    }
    stopIfRequested();
    return Effect().none();
  }

  private Effect<KeyEvent, KeyState> onBackoffOver() {
    retryAt = null;
    return Effect().none();
  }

  private void onRecovered(KeyState state) {
    if (state.hasValue()) {
      clock.arm(state);
    }
    publish(state);
    // A notification sent while this key was down (its node crashed) is lost: ask its inputs
    // whether they moved on. They answer like a change notification, only when there is news.
    state.inputs().forEach((input, seen) -> runtime.key(input).tell(new KeyCommand.CheckInput(key.text(), seen)));
  }

  /** See {@link KeyCommand.CheckInput}. */
  private Effect<KeyEvent, KeyState> onCheckInput(KeyState state, KeyCommand.CheckInput check) {
    if (!state.dependents().contains(check.dependent())) {
      return Effect()
          .persist(new DependentAdded(check.dependent()))
          .thenRun((KeyState after) -> answerCheck(after, check));
    }
    answerCheck(state, check);
    return Effect().none();
  }

  private void answerCheck(KeyState state, KeyCommand.CheckInput check) {
    if (state.outdated()) {
      runtime.key(check.dependent()).tell(
          new InputChanged(key.text(), state.version(), state.outdatedBy(), true, null));
    } else if (state.version() > check.seenVersion()) {
      runtime.key(check.dependent()).tell(
          new InputChanged(key.text(), state.version(), state.lineageWith(key.text()), false, null));
    }
  }

  private Effect<KeyEvent, KeyState> onWake(KeyState state) {
    if (!state.hasValue() && inFlight == null && retryAt == null) {
      startCompute(state, null);
    }
    return Effect().none();
  }

  private Effect<KeyEvent, KeyState> onRefreshDue(KeyState state) {
    clock.refreshDue();
    if (inFlight == null) {
      startCompute(state, null); // its completion arms the next refresh
    }
    return Effect().none();
  }

  private Effect<KeyEvent, KeyState> onAgeReached(KeyState state, AgeReached reached) {
    clock.ageReached(reached, state.version());
    return Effect().none();
  }

  /** After every new value (computed or put): restart the freshness clock, join the warm set. */
  private void onNewValue(KeyState state) {
    clock.arm(state);
    if (clock.periodic() && !registeredWarm) {
      runtime.warmKeys().tell(new WarmKeys.Add(key.text(), null));
      registeredWarm = true;
    }
  }

  private Effect<KeyEvent, KeyState> onPassivate() {
    if (idle()) {
      return Effect().stop();
    }
    stopWhenIdle = true;
    return Effect().none();
  }

  private void onFailure(KeyState state, long attempt, Problem problem) {
    KckException failure = problem.toException(key.text());
    observers.hook(HookEvent.Action.COMPUTE, HookEvent.Phase.AFTER, 0, null, failure);
    consecutiveFailures++;
    lastFailure = problem;
    Duration backoff = runtime.settings().backoffAfter(consecutiveFailures);
    retryAt = Instant.now().plus(backoff);
    timers.startSingleTimer(BACKOFF_TIMER, BackoffOver.INSTANCE, backoff);
    context.getLog().warn(
        "{} (failure {} in a row; next attempt not before {})",
        problem.message(), consecutiveFailures, backoff);
    KeyReply.Failed failed = new KeyReply.Failed(problem);
    KeyReply stale = staleOrFailure(state, problem);
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (waiter.minAttempt() <= attempt) {
        waiter.replyTo().tell(waiter.acceptsStale() ? stale : failed);
        it.remove();
        if (!waiter.acceptsStale()) {
          observers.hook(HookEvent.Action.REFRESH, HookEvent.Phase.AFTER, 0, null, failure);
        }
      }
    }
    clock.retryAfter(backoff, retryAt);
    // Refreshes that arrived during the failed attempt asked for a later one; they get it now.
    startComputeIfNeeded(state, null);
    stopIfRequested();
  }

  private Problem backingOff() {
    return Problem.of(
        lastFailure.kind(),
        "Key '" + key + "' is backing off after " + consecutiveFailures + " failed compute(s) in a row;"
            + " the next get computes again after " + retryAt + ". Last failure: " + lastFailure.message(),
        lastFailure.cause().orElse(null));
  }

  private void clearBackoff() {
    consecutiveFailures = 0;
    lastFailure = null;
    retryAt = null;
    timers.cancel(BACKOFF_TIMER);
  }

  private void startComputeIfNeeded(KeyState state, List<String> path) {
    if (inFlight == null && !waiters.isEmpty()) {
      startCompute(state, path);
    }
  }

  /**
   * Starts the next attempt; nothing may be running. {@code path}: the computes waiting on this one
   * through reads, ending with this key (null: none).
   */
  private void startCompute(KeyState state, List<String> path) {
    long attempt = nextAttempt++;
    ActorRef<KeyCommand> self = context.getSelf();
    Map<String, Long> promised = Map.copyOf(Lineage.merged(required, state.outdatedBy()));
    TrackedReads reads =
        new TrackedReads(
            key.text(), path == null ? List.of(key.text()) : path, promised,
            state.value(), state.version(), codec, runtime);
    inFlight = new InFlight(attempt, promised, reads);
    observers.hook(HookEvent.Action.COMPUTE, HookEvent.Phase.BEFORE, state.version(), null, null);
    inFlight.task = runtime.executor().submit(() -> self.tell(compute(attempt, reads)));
    timers.startSingleTimer(TIMEOUT_TIMER, new ComputeTimedOut(attempt), computeTimeout);
  }

  /** Runs on a compute thread: the primer's code, then the encoding, both off the actor. */
  private ComputeDone compute(long attempt, TrackedReads reads) {
    try {
      for (String dependency : primer.declaredDependencies(cast(key))) {
        reads.get(dependency);
      }
      Object value = primer.compute(cast(key), cast(reads));
      if (value == null) {
        throw new NullPointerException(primer + " returned null; a compute must return a value");
      }
      if (!codec.type().getRawClass().isInstance(value)) {
        throw new ClassCastException(
            primer + " returned a " + value.getClass().getName() + ", not a " + codec.type());
      }
      return new ComputeDone(attempt, StoredValue.encoded(value, codec.encode(value)), null, reads.result());
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError error) {
        throw error;
      }
      Problem problem =
          t instanceof io.kck.DependencyCycleException cycle
              ? Problem.of(Problem.Kind.DEPENDENCY_CYCLE, cycle.getMessage(), t)
              : Problem.of(Problem.Kind.COMPUTE_FAILED, "Compute of key '" + key + "' failed: " + t, t);
      return new ComputeDone(attempt, null, problem, null);
    }
  }

  private void answer(long attempt, KeyReply.Ok reply) {
    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (waiter.minAttempt() <= attempt) {
        waiter.replyTo().tell(reply);
        it.remove();
        if (!waiter.acceptsStale()) {
          observers.hook(HookEvent.Action.REFRESH, HookEvent.Phase.AFTER, reply.entry().version(), null, null);
        }
      }
    }
  }


  /**
   * Keeps this node's copy of the key's entry (the facade's local hits) equal to what a get would
   * answer at once: published while the value is fresh, nothing runs and nothing failed; removed as
   * soon as a get would have to wait, recompute, or learn of staleness. Called before every reply
   * that follows a change, so a get after an acknowledged put or invalidation never sees the old
   * value.
   */
  private void publish(KeyState state) {
    if (!runtime.settings().localHits()) {
      return;
    }
    boolean servable = state.hasValue() && !state.outdated() && inFlight == null && lastFailure == null
        && retryAt == null && !clock.alwaysFresh() && !clock.softAgeReached() && !clock.hardAgeReached();
    if (!servable) {
      unpublish();
    } else if (state != publishedFor || clock.nextRefreshAt() != publishedNext) {
      EntryData entry = entry(state, false).entry();
      runtime.localEntries().put(key.text(), entry);
      published = entry;
      publishedFor = state;
      publishedNext = clock.nextRefreshAt();
    }
  }

  private void unpublish() {
    if (published != null) {
      runtime.localEntries().remove(key.text(), published);
      published = null;
      publishedFor = null;
      publishedNext = null;
    }
  }

  private boolean idle() {
    return inFlight == null && waiters.isEmpty() && writing.isEmpty() && !recomputeDue;
  }

  private void stopIfRequested() {
    if (stopWhenIdle && idle()) {
      context.getSelf().tell(Passivate.INSTANCE);
    }
  }

  /**
   * The key stops, or restarts after a journal failure: the work around its state is abandoned
   * and its callers told. A restart keeps this object (supervision sits inside the behavior), so
   * every transient field starts over here; recovery re-arms the freshness timers.
   */
  private void onStop() {
    unpublish();
    timers.cancelAll();
    if (inFlight != null) {
      inFlight.task.cancel();
      inFlight = null;
    }
    consecutiveFailures = 0;
    lastFailure = null;
    retryAt = null;
    clock.reset();
    entryState = null;
    entryReply = null;
    required.clear();
    changedWhileComputing.clear();
    deltas.reset();
    coalescing = false;
    recomputeDue = false;
    inconsistentAttempts = 0;
    observers.detachAll();
    if (!waiters.isEmpty() || !writing.isEmpty()) {
      KeyReply.Failed failed =
          new KeyReply.Failed(
              Problem.of(
                  Problem.Kind.UNAVAILABLE,
                  "Key '" + key + "' stopped before it could answer (its journal failed, or the node"
                      + " is shutting down); nothing was changed, the request may be retried",
                  null));
      waiters.forEach(waiter -> waiter.replyTo().tell(failed));
      waiters.clear();
      writing.forEach(replyTo -> replyTo.tell(failed));
      writing.clear();
    }
  }

  /**
   * The reply for the current state. The common one (fresh, nothing running, nothing scheduled) is
   * built once per state, so the hot path allocates nothing.
   */
  private KeyReply.Ok entry(KeyState state, boolean stale) {
    boolean refreshing = inFlight != null;
    String error = lastFailure == null ? null : lastFailure.message();
    Instant next = retryAt != null ? retryAt : clock.nextRefreshAt();
    stale |= state.outdated();
    if (stale || refreshing || error != null || next != null) {
      return new KeyReply.Ok(
          new EntryData(key.text(), state.value(), state.version(), state.computedAt(),
              stale, refreshing, error, next, state.lineage()));
    }
    if (state != entryState) {
      entryReply =
          new KeyReply.Ok(
              new EntryData(key.text(), state.value(), state.version(), state.computedAt(),
                  false, false, null, null, state.lineage()));
      entryState = state;
    }
    return entryReply;
  }

  @SuppressWarnings("unchecked")
  private static Key<Object> cast(Key<?> key) {
    return (Key<Object>) key;
  }

  @SuppressWarnings("unchecked")
  private static io.kck.primer.ComputeContext<Object> cast(TrackedReads reads) {
    return reads;
  }

  private static Behavior<KeyCommand> refusing(Problem problem) {
    KeyReply.Failed failed = new KeyReply.Failed(problem);
    return Behaviors.receive(KeyCommand.class)
        .onMessage(Get.class, get -> reply(get.replyTo(), failed))
        .onMessage(Refresh.class, refresh -> reply(refresh.replyTo(), failed))
        .onMessage(Put.class, put -> reply(put.replyTo(), failed))
        .onMessage(Invalidate.class, invalidate -> reply(invalidate.replyTo(), failed))
        .onMessageEquals(Wake.INSTANCE, Behaviors::same)
        .onMessageEquals(Passivate.INSTANCE, Behaviors::stopped)
        .build();
  }

  private static Behavior<KeyCommand> reply(ActorRef<KeyReply> replyTo, KeyReply.Failed failed) {
    replyTo.tell(failed);
    return Behaviors.same();
  }
}
