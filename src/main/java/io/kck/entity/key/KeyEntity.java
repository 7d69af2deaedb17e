package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.ReplyEffect;
import io.kck.entity.ComputeWindow;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyCommand.ComputeDone;
import io.kck.entity.KeyCommand.InputChanged;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyEvent.DependentAdded;
import io.kck.entity.KeyEvent.Origin;
import io.kck.entity.KeyEvent.ValueStored;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.KeyStatus;
import io.kck.entity.Lineage;
import io.kck.entity.Problem;
import io.kck.entity.ValueExpiry;
import io.kck.entity.WarmKeys;
import io.kck.entity.Wave;
import io.kck.entity.settings.PrimerSettings;
import io.kck.errors.KckException;
import io.kck.persistence.StoredValue;
import io.kck.primer.HookEvent;
import io.kck.primer.Key;
import io.kck.primer.Propagation;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The actor of one key: a Cluster Sharding entity whose id is the key's canonical text, event
 * sourced into the journal. It owns the key's value, version and computed-at time; nothing else
 * changes them.
 *
 * <p>This class is the core: it owns the command switch and turns decisions into {@link Effect}s
 * (persist an event, then answer and tell). The decisions live in its parts, each of which only
 * this actor uses and which persist nothing: {@link SingleFlight} (who waits for which compute,
 * backoff), {@link Dependencies} (the dependency protocol as reader and as input), {@link Deltas}
 * (augment), {@link FreshnessClock} (timers and ages), {@link LocalHits} (the node's copy of a
 * fresh entry), {@link Replies} (answers), {@link Observers} (listeners and hooks), {@link
 * UnreadableValue} (a stored value of an older type), {@link Retention} (forgetting an unused
 * key). When the key stops or restarts, every part is reset.
 *
 * <p>Computes run off the actor ({@link ComputeRun}) and report back as {@link ComputeDone}, tagged
 * with their attempt number so that a late answer is recognised and dropped. A compute whose
 * inputs change under it is cancelled and replaced ({@link StaleComputes}).
 */
public final class KeyEntity extends JournaledKey {

  private final Key<?> key;
  private final KeyRuntime runtime;
  private final ActorContext<KeyCommand> context;
  private final StreamedWrites streamedWrites;
  private final PrimerSettings settings;
  private final FreshnessClock freshness;
  private final Attempts attempts;
  private final Backoff backoff;
  private final Replies replies;
  private final LocalHits localHits;
  private final Observers observers;
  private final Dependencies dependencies;
  private final Deltas deltas;
  private final SingleFlight flight;
  private final UnreadableValue unreadable;
  private final StaleComputes stale;
  private boolean stopWhenIdle;

  KeyEntity(Key<?> key, KeyRuntime runtime, ActorContext<KeyCommand> context, KeyTimers timers, Deltas deltas,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(key, runtime.settings(), deltas, runtime.meters(key.primer()),
        new Retention(key, runtime.settings().of(key.primer()).retention(), runtime, context, shard, timers),
        runtime.keyRows(), new ValueMigrations(key, runtime.codec(key.primer())));
    this.key = key;
    this.runtime = runtime;
    runtime.running().started(key.text());
    this.attempts = new Attempts(runtime.meters(key.primer()).waiting);
    this.context = context;
    this.streamedWrites = new StreamedWrites(key.text(), runtime.settings().maxValueBytes(), context);
    this.settings = runtime.settings().of(key.primer());
    this.freshness = new FreshnessClock(settings.freshness(), timers, runtime.clock(), settings.keepsKeysWarm(),
        () -> runtime.warmKeys().tell(new WarmKeys.Add(key.text(), null)));
    this.backoff = new Backoff(runtime.settings(), runtime.clock());
    this.replies = new Replies(key.text(), attempts, backoff, freshness);
    this.dependencies = new Dependencies(key, runtime, timers);
    this.localHits = new LocalHits(key, runtime, attempts, freshness, replies, dependencies,
        retention()::servedWithoutRecordingUntilMillis);
    this.observers = new Observers(key.text(), key.primer().name(), runtime.hooks(), runtime.meters(key.primer()).watching);
    this.deltas = deltas;
    this.unreadable = new UnreadableValue(key.text(), runtime.codec(key.primer()), migrations(), context.getSelf(),
        context.getLog());
    this.flight = new SingleFlight(key, runtime, context.getSelf(), timers, context.getLog(), attempts, backoff,
        freshness, dependencies, observers, replies, this::unwritten);
    this.stale = new StaleComputes(key.text(), attempts, flight, dependencies,
        settings.propagation() == Propagation.EAGER, context.getLog());
  }

  /**
   * One handler that switches on the command, rather than Akka's builder: the builder keeps a case
   * object and two lambdas per command type in every entity, about a kilobyte per key.
   */
  @Override
  CommandHandlerWithReply<KeyCommand, KeyEvent, KeyState> keyCommands() {
    return (state, received) -> {
      if (StreamedWrites.streamed(received)) {
        streamedWrites.pull(received); // comes back as Arrived once its value is here
        return Effect().noReply();
      }
      KeyCommand command = received instanceof KeyCommand.Arrived arrived ? arrived.whole() : received;
      KeyState seen = unreadable.seen(state);
      boolean first = retention().firstCommand(seen, command);
      ReplyEffect<KeyEvent, KeyState> effect = command instanceof KeyCommand.Forget forget
          ? forget(seen, forget, first, flight, after -> {
            dependencies.reset(); // what it planned for the state it forgot is off
            freshness.reset();
            localHits.publish(after);
          })
          : dispatch(seen, command);
      localHits.publish(seen);
      return effect;
    };
  }

  private ReplyEffect<KeyEvent, KeyState> dispatch(KeyState state, KeyCommand command) {
    if ((command instanceof KeyCommand.Get || command instanceof KeyCommand.Read) && dependencies.checking()) {
      return Effect().stash(); // the key just started: its inputs say first whether they moved on; answered after
    } else if (command instanceof KeyCommand.InputChecked || command instanceof KeyCommand.InputCheckOver) {
      dependencies.checkAnswered(command);
      return dependencies.checking() ? Effect().noReply() : Effect().noReply().thenUnstashAll();
    } else if (command instanceof KeyCommand.Get get) {
      flight.get(state, get);
      return answeredBySingleFlight();
    } else if (command instanceof KeyCommand.Read read) {
      return onRead(state, read);
    } else if (command instanceof KeyCommand.Refresh refresh) {
      flight.refresh(state, refresh.replyTo());
      return answeredBySingleFlight();
    } else if (command instanceof KeyCommand.Put put) {
      return onPut(state, put);
    } else if (command instanceof KeyCommand.Augment augment) {
      return onAugment(state, augment);
    } else if (command instanceof KeyCommand.Invalidate invalidate) {
      return onInvalidate(state, invalidate);
    } else if (command instanceof KeyCommand.SourceChange change) {
      return onSourceChange(state, change);
    } else if (command instanceof KeyCommand.Inspect inspect) {
      return Effect().reply(inspect.replyTo(), new KeyReply.Status(status(state)));
    } else if (command instanceof KeyCommand.DropUnreadable drop && unreadable.pending()) {
      return dropUnreadable(after -> { unreadable.dropped(drop.reason()); localHits.publish(after); });
    } else if (command instanceof ComputeDone done) {
      return onComputeDone(state, done);
    } else if (command instanceof KeyCommand.ComputeBegan began) {
      if (attempts.began(began.attempt(), began.before())) { // a source change it reads does not run it again
        flight.refreshInBackground(state); // one that came before it, asked for a refresh, and is not in its reads
      }
    } else if (command instanceof KeyCommand.ComputeTimedOut timedOut) {
      flight.timedOut(state, timedOut.attempt());
    } else if (command instanceof KeyCommand.BackoffOver) {
      flight.backoffOver();
    } else if (command instanceof KeyCommand.Wake && !state.hasValue()) {
      flight.startInBackground(state);
    } else if (command instanceof KeyCommand.RefreshDue && freshness.refreshDue()) {
      flight.startUnlessRunning(state); // its completion arms the next refresh
    } else if (command instanceof KeyCommand.AgeReached reached) {
      freshness.ageReached(reached, state.version());
    } else if (command instanceof KeyCommand.Passivate) {
      return onPassivate();
    } else if (command instanceof KeyCommand.RecordUse) {
      return recordUse();
    } else if (command instanceof InputChanged changed) {
      return onInputChanged(state, changed);
    } else if (command instanceof KeyCommand.Outdate outdate && !dependencies.keptWhileComputing(outdate.cause(), attempts)
        && !Lineage.satisfies(state.lineage(), outdate.cause())) {
      return outdate(state, outdate.cause(), false, null).thenNoReply();
    } else if (command instanceof KeyCommand.CoalesceOver && dependencies.coalesceOver(attempts.running() != null)) {
      recomputeSoon(state);
    } else if (command instanceof KeyCommand.CheckInput check && !state.dependents().contains(check.dependent())) {
      return journal(new DependentAdded(check.dependent())) // a lost edge is recorded again first
          .thenRun((KeyState after) -> dependencies.answerCheck(after, check)).thenNoReply();
    } else if (command instanceof KeyCommand.CheckInput check) {
      dependencies.answerCheck(state, check);
    } else if (command instanceof KeyCommand.DependentGone gone && state.dependents().contains(gone.dependent())) {
      return journal(new KeyEvent.DependentRemoved(gone.dependent())).thenNoReply();
    } else if (command instanceof KeyCommand.CycleProbe probe) {
      dependencies.onProbe(probe, attempts.running());
    } else if (command instanceof KeyCommand.Watch watch) {
      observers.watch(watch.listener(), state.hasValue() ? replies.entry(state, false).entry() : null);
    } else if (command instanceof KeyCommand.Unwatch unwatch) {
      observers.unwatch(unwatch.listener());
    }
    stopIfRequested();
    return Effect().noReply(); // none of the commands left asks for an answer
  }

  /**
   * A get or a refresh was handed to {@link SingleFlight}: it answers at once from a value that may
   * be served, or once the compute it waits for ends (every waiter, with one value or one failure).
   */
  private ReplyEffect<KeyEvent, KeyState> answeredBySingleFlight() {
    stopIfRequested();
    return Effect().noReply();
  }

  /**
   * A tracked read from another key's compute. The reader becomes a dependent (journaled) before
   * it gets its answer, so no change after the read can miss it.
   */
  private ReplyEffect<KeyEvent, KeyState> onRead(KeyState state, KeyCommand.Read read) {
    if (state.dependents().contains(read.reader())) {
      flight.read(state, read);
      return answeredBySingleFlight();
    }
    flight.writing(read.replyTo());
    return journal(new DependentAdded(read.reader())).thenRun((KeyState after) -> {
      flight.written(read.replyTo());
      flight.read(after, read);
    }).thenNoReply(); // by single flight, once the edge is journaled
  }

  private ReplyEffect<KeyEvent, KeyState> onPut(KeyState state, KeyCommand.Put put) {
    observers.hook(HookEvent.Action.PUT, HookEvent.Phase.BEFORE, state.version(), null, null);
    Problem conflict = ExpectedVersion.conflict(key, "put", "written", state, put.expectedVersion());
    if (conflict != null) { // refused before anything changes: a running compute goes on
      observers.hook(HookEvent.Action.PUT, HookEvent.Phase.AFTER, 0, null, conflict.toException(key.text()));
      return Effect().reply(put.replyTo(), new KeyReply.Failed(conflict));
    }
    attempts.supersede();
    // A put replaces the value, not the key's edges: the next change of an input recomputes it.
    ValueStored stored = new ValueStored(nextVersion(state), now(), put.value(), Origin.PUT, state.inputs(), state.lineage(),
        put.expiry(), key.primer().valueFormat());
    flight.writing(put.replyTo());
    return journal(stored).thenRun((KeyState after) -> {
      flight.clearBackoff();
      freshness.newValue(after);
      announce(after, null, null);
      observers.hook(HookEvent.Action.PUT, HookEvent.Phase.AFTER, after.version(), null, null);
      localHits.publish(after);
      flight.written(put.replyTo());
      flight.answerAll(replies.entry(after, false)); // the put's value is newer than anything they asked for
      stopIfRequested();
    }).thenReply(put.replyTo(), (KeyState after) -> replies.entry(after, false));
  }

  private ReplyEffect<KeyEvent, KeyState> onAugment(KeyState state, KeyCommand.Augment augment) {
    observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.BEFORE, state.version(), null, null);
    Deltas.Planned planned = deltas.plan(state, augment, nextVersion(state));
    if (planned.refused() != null) {
      Problem refused = planned.refused();
      observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.AFTER, 0, null, refused.toException(key.text()));
      return Effect().reply(augment.replyTo(), new KeyReply.Failed(refused));
    }
    return persistDelta(state, planned, augment.replyTo(), null)
        .thenReply(augment.replyTo(), (KeyState after) -> replies.entry(after, false));
  }

  /** Journals a delta; {@code replyTo} (null for a delta that followed an input's) is the caller who waits for it. */
  private EffectBuilder<KeyEvent, KeyState> persistDelta(KeyState state, Deltas.Planned planned, ActorRef<KeyReply> replyTo,
      Wave wave) {
    return persistDelta(state, planned, replyTo, wave, true);
  }

  /**
   * Journals a delta; {@code unseenByRunning}: the running compute (if any) has not read the change,
   * so the delta is applied again on its result.
   */
  private EffectBuilder<KeyEvent, KeyState> persistDelta(KeyState state, Deltas.Planned planned, ActorRef<KeyReply> replyTo,
      Wave wave, boolean unseenByRunning) {
    deltas.prepare(planned);
    if (unseenByRunning) {
      attempts.deltaApplied(planned.delta());
    }
    if (replyTo != null) {
      flight.writing(replyTo);
    }
    long base = state.version();
    return journal(planned.event()).thenRun((KeyState after) -> {
      announce(after, new KeyCommand.InputDelta(base, planned.event().delta()), wave);
      observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.AFTER, after.version(), planned.delta(), null);
      localHits.publish(after);
      if (replyTo != null) {
        flight.written(replyTo);
      }
      stopIfRequested();
    });
  }

  private ReplyEffect<KeyEvent, KeyState> onInvalidate(KeyState state, KeyCommand.Invalidate invalidate) {
    observers.hook(HookEvent.Action.INVALIDATE, HookEvent.Phase.BEFORE, state.version(), null, null);
    flight.clearBackoff();
    attempts.invalidated();
    if (!state.hasValue()) {
      return Effect().reply(invalidate.replyTo(), replies.entry(state, false));
    }
    flight.writing(invalidate.replyTo());
    return journal(new KeyEvent.ValueDropped(now())).thenRun((KeyState after) -> {
      localHits.publish(after);
      flight.written(invalidate.replyTo());
      observers.hook(HookEvent.Action.INVALIDATE, HookEvent.Phase.AFTER, after.version(), null, null);
      dependencies.valueDropped(after, now());
    }).thenReply(invalidate.replyTo(), (KeyState after) -> replies.entry(after, false));
  }

  /**
   * A row this key is made from changed (in a source table). What the value holds of the change's
   * transaction decides ({@link ComputeWindow}): a value whose compute began after the commit holds
   * it (the position is recorded, nothing applied, and a compute that runs now, started later still,
   * holds it too); one whose compute ended before the commit does not (the delta is applied, or the
   * value dropped or refreshed); one whose compute ran across the commit may, and is dropped (or
   * refreshed), never counted twice. A value with no window (put, augmented from nothing, journaled
   * before KCK recorded windows) takes every change. A compute that runs now reads the row after
   * the change when its snapshot before its first read ({@link KeyCommand.ComputeBegan}) shows the
   * transaction committed: it goes on, and is neither run again nor given the change's delta on top
   * of its result. A change that comes before the compute told its snapshot is judged by it when it
   * does (and taken as unread if it never does). Otherwise (the commit came later) it may have read
   * the row before or after the change: its result is moot, and whoever waits for it waits for the
   * next one. The change is answered once it is journaled with its position (a delta, the
   * value dropped, or held), so that the source's consumer confirms the stream past it only then.
   */
  private ReplyEffect<KeyEvent, KeyState> onSourceChange(KeyState state, KeyCommand.SourceChange change) {
    if (change.position().appliedBy(state.source())) {
      return Effect().reply(change.replyTo(), replies.entry(state, false)); // delivered again after a restart
    }
    ComputeWindow.Held held = state.hasValue() && state.window() != null
        ? state.window().holds(change.xid()) : ComputeWindow.Held.NO;
    if (held == ComputeWindow.Held.YES) {
      flight.writing(change.replyTo());
      return journal(new KeyEvent.SourceHeld(now(), change.position()))
          .thenRun((KeyState after) -> flight.written(change.replyTo()))
          .thenReply(change.replyTo(), (KeyState after) -> replies.entry(after, false));
    }
    // Read by the running compute (it is the refresh), or left to be judged by its snapshot once known.
    boolean leftToRunning = attempts.runningReads(change.xid())
        || attempts.judgeLater(change.xid(), change.refresh());
    if (!leftToRunning) {
      attempts.invalidated();
    }
    if (!state.hasValue()) {
      if (change.refresh() && !leftToRunning) {
        flight.refreshInBackground(state); // also after a compute this change superseded
      }
      return Effect().reply(change.replyTo(), replies.entry(state, false)); // nothing to change: a compute reads the row
    }
    if (change.delta() != null && held == ComputeWindow.Held.NO) {
      Deltas.Planned planned = deltas.plan(state, new KeyCommand.Augment(change.delta(), OptionalLong.empty(),
          change.replyTo()), nextVersion(state));
      if (planned.refused() == null) {
        observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.BEFORE, state.version(), planned.delta(), null);
        Deltas.Planned positioned = new Deltas.Planned(planned.event().from(change.position()), planned.delta(),
            planned.next());
        return persistDelta(state, positioned, change.replyTo(), null, !leftToRunning)
            .thenReply(change.replyTo(), (KeyState after) -> replies.entry(after, false));
      }
      context.getLog().warn("Key '{}' cannot apply the delta of source change {}; its value is dropped instead: {}",
          key, change.position(), planned.refused().message());
    }
    flight.clearBackoff();
    flight.writing(change.replyTo());
    return journal(new KeyEvent.SourceChanged(now(), change.position())).thenRun((KeyState after) -> {
      localHits.publish(after);
      flight.written(change.replyTo());
      dependencies.valueDropped(after, now());
      if (change.refresh() && !leftToRunning) {
        flight.refreshInBackground(after);
      } else {
        flight.startIfAwaited(after, null);
      }
    }).thenReply(change.replyTo(), (KeyState after) -> replies.entry(after, false));
  }

  private ReplyEffect<KeyEvent, KeyState> onComputeDone(KeyState state, ComputeDone done) {
    Attempts.Attempt finished = flight.finish(done.attempt());
    Map<String, Long> missed;
    if (finished == null) {
      return Effect().noReply(); // timed out earlier; its waiters have had their answer
    }
    if (finished.superseded) {
      flight.startIfAwaited(state, null);
    } else if (done.problem() != null) {
      dependencies.computeFailed(finished.wave);
      flight.failed(state, finished.number, done.problem());
    } else if ((missed = dependencies.missedBy(done.reads(), finished.wave)) != null) {
      // An input it had read changed while it ran: its result is older than its inputs, never stored.
      if (!stale.recompute(state, missed)) {
        return outdate(state, missed, false, finished.wave).thenNoReply();
      }
    } else if (dependencies.computeAgain(done.reads(), finished.wave)) {
      // Its reads saw two versions of one upstream product: compute again, requiring the newer.
      attempts.deferAllToNext();
      flight.start(state, null);
    } else {
      return storeComputed(state, finished, done).thenNoReply(); // single flight answers its waiters
    }
    stopIfRequested();
    return Effect().noReply();
  }

  private EffectBuilder<KeyEvent, KeyState> storeComputed(KeyState state, Attempts.Attempt finished, ComputeDone done) {
    StoredValue value = done.value();
    if (!finished.deltasDuring.isEmpty()) {
      try { // deltas applied while it ran are newer than what it read: applied again on its result
        value = deltas.reapply(value, finished.deltasDuring);
      } catch (RuntimeException e) {
        flight.failed(state, finished.number, Problem.of(KckException.Kind.COMPUTE_FAILED, "Compute of key '" + key
            + "' finished, but the deltas applied meanwhile do not apply to its result: " + e, e));
        return Effect().none();
      }
    } else if (state.hasValue() && value.equals(state.value())) {
      // Early cutoff: same value, same version, nobody to tell.
      Instant at = now();
      return journal(new KeyEvent.ValueConfirmed(at, done.reads().inputs(), done.reads().lineage(),
          ValueExpiry.of(done.freshness(), at), done.window()))
          .thenRun((KeyState after) -> afterComputed(state, after, finished.number));
    }
    Instant at = now();
    ValueStored stored = new ValueStored(nextVersion(state), at, value, Origin.COMPUTED,
        done.reads().inputs(), done.reads().lineage(), ValueExpiry.of(done.freshness(), at), key.primer().valueFormat(),
        done.window());
    return journal(stored).thenRun((KeyState after) -> {
      announce(after, null, finished.wave);
      afterComputed(state, after, finished.number);
    });
  }

  /** A computed value (new or confirmed) is journaled: answer, move the edges, react to news. */
  private void afterComputed(KeyState before, KeyState after, long attempt) {
    freshness.newValue(after);
    observers.hook(HookEvent.Action.COMPUTE, HookEvent.Phase.AFTER, after.version(), null, null);
    localHits.publish(after);
    flight.succeeded(attempt, replies.entry(after, false));
    Map<String, Long> missed = dependencies.computed(before, after);
    if (missed != null) {
      context.getSelf().tell(new KeyCommand.Outdate(missed)); // an input changed after the compute read it
    }
    if (dependencies.recomputeDueNow()) {
      recomputeSoon(after);
    }
    flight.startIfAwaited(after, null);
    stopIfRequested();
  }

  /** An input has a new version (or was marked outdated). */
  private ReplyEffect<KeyEvent, KeyState> onInputChanged(KeyState state, InputChanged changed) {
    boolean catchingUp = dependencies.checking();
    dependencies.heard(state, changed);
    boolean replaced = stale.cancelIfStale(state, changed.cause()); // then the next compute sees the change
    ReplyEffect<KeyEvent, KeyState> effect = (replaced || dependencies.keptWhileComputing(changed.cause(), attempts)
        ? Effect().none() : react(state, changed, catchingUp)).thenNoReply();
    return catchingUp && !dependencies.checking() ? effect.thenUnstashAll() : effect; // the gets it held go on
  }

  private EffectBuilder<KeyEvent, KeyState> react(KeyState state, InputChanged changed, boolean catchingUp) {
    if (!dependencies.isNews(state, changed)) {
      return Effect().none();
    }
    Optional<Deltas.Planned> followed = backoff.active() ? Optional.empty() : deltas.follow(state, changed, nextVersion(state));
    if (followed.isPresent()) {
      observers.hook(HookEvent.Action.AUGMENT, HookEvent.Phase.BEFORE, state.version(), followed.get().delta(), null);
      return persistDelta(state, followed.get(), null, changed.wave());
    }
    return outdate(state, changed.cause(), catchingUp, changed.wave());
  }

  /**
   * The key's value is behind {@code cause}: recompute (eager) or mark it outdated (lazy). An eager
   * key that learns it is behind as it starts ({@code catchingUp}) is marked outdated too, so that
   * the gets that waited for its inputs wait for the recompute rather than answer the old value.
   */
  private EffectBuilder<KeyEvent, KeyState> outdate(KeyState state, Map<String, Long> cause, boolean catchingUp, Wave wave) {
    dependencies.require(cause);
    if (settings.propagation() == Propagation.EAGER) {
      recomputeSoon(state);
      if (!catchingUp || !state.hasValue()) {
        return Effect().none();
      }
    }
    if (!state.hasValue() || (state.outdated() && Lineage.satisfies(state.outdatedBy(), cause))) {
      return Effect().none(); // nothing to mark, or already marked for this
    }
    return journal(new KeyEvent.ValueOutdated(cause)).thenRun((KeyState after) -> {
      localHits.publish(after);
      dependencies.tellDependents(after, after.outdatedBy(), true, null, null, wave);
    });
  }

  /** An eager recompute: now, unless one started within the coalescing window (then at its end). */
  private void recomputeSoon(KeyState state) {
    if (dependencies.mayRecomputeNow(attempts.running() != null)) {
      flight.start(state, null);
    }
  }

  private ReplyEffect<KeyEvent, KeyState> onPassivate() {
    if (flight.idle() && dependencies.idle() || runtime.client().shuttingDown()) {
      return Effect().stop().thenNoReply(); // a node that shuts down hands its keys off now; their callers hear it and retry
    }
    stopWhenIdle = true; // once its callers are answered
    return Effect().noReply();
  }

  private void stopIfRequested() {
    if (stopWhenIdle && flight.idle() && dependencies.idle()) {
      context.getSelf().tell(KeyCommand.Passivate.INSTANCE);
    }
  }

  /** Tells dependents and listeners of a new version (made by {@code delta}, if by one) in {@code wave} or a new one. */
  private void announce(KeyState state, KeyCommand.InputDelta delta, Wave wave) {
    dependencies.announce(state, delta, wave, () -> flight.carried(state), now());
    observers.changed(() -> replies.entry(state, false).entry());
  }

  /** What this key is doing now, for {@link KeyCommand.Inspect}. */
  private KeyStatus status(KeyState state) {
    Attempts.Attempt running = attempts.running();
    String incident = unreadable.incident();
    return new KeyStatus(key.text(), state.status(), state.version(), running == null ? 0 : running.number,
        attempts.waiting(), backoff.retryAt(), state.outdated(), state.inputs(), state.dependents(),
        state.computedAt(), observers.lastHookFailure(), deltas.setAside(),
        incident != null ? incident : deltas.lastSetAside());
  }

  @Override
  void onRecovered(KeyState recovered) {
    KeyState state = unreadable.loaded(recovered);
    if (state.hasValue()) {
      freshness.arm(state);
    }
    dependencies.checkInputs(state);
    dependencies.reannounce(state, now());
    localHits.publish(state);
  }

  /**
   * The key stops, or restarts after a journal failure: the work around its state is abandoned
   * and its callers told. A restart keeps this object (supervision sits inside the behavior), so
   * every part starts over here; recovery re-arms the freshness timers.
   */
  @Override
  void onStop(boolean restarting) {
    localHits.stopped(restarting);
    if (!restarting) {
      runtime.running().stopped(key.text());
    }
    if (restarting) {
      runtime.health().suspect(); // a journal failure: is the database down?
    }
    flight.reset();
    freshness.reset();
    dependencies.reset();
    deltas.reset();
    replies.reset();
    observers.reset();
    stopWhenIdle = false;
    unreadable.reset();
  }
}
