package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import io.kck.entity.EntryData;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.Lineage;
import io.kck.entity.Problem;
import io.kck.entity.SourceSnapshots;
import io.kck.entity.metrics.Meters;
import io.kck.entity.settings.PrimerSettings;
import io.kck.errors.KckException;
import io.kck.persistence.FirstComputes;
import io.kck.primer.HookEvent;
import io.kck.primer.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * Single flight for one key: answers a get or a read from the value when it may, otherwise makes
 * it wait for the one compute that will satisfy it, starting that compute when none runs; answers
 * every waiter of a finished compute with the same value or failure; and backs off after failures
 * (a key without a value fails gets at once until the backoff is over; a key with one serves it,
 * stale, within {@code stale-if-error}). Also counts the callers whose write is being journaled,
 * so the key knows when it is idle. Never persists anything; used by the key's actor only.
 */
final class SingleFlight implements JournaledKey.Writers {
  private static final String TIMEOUT_TIMER = "compute-timeout";
  private static final String BACKOFF_TIMER = "backoff";

  private final Key<?> key;
  private final KeyRuntime runtime;
  private final ActorRef<KeyCommand> self;
  private final KeyTimers timers;
  private final Clock clock;
  private final Logger log;
  private final Attempts attempts;
  private final Backoff backoff;
  private final FreshnessClock freshness;
  private final Dependencies dependencies;
  private final Observers observers;
  private final Replies replies;
  private final PrimerSettings settings;
  private final List<ActorRef<KeyReply>> writers = new ArrayList<>();
  private final Meters.PrimerMeters meters;
  // Why the callers waiting now wait: the cause of the compute that starts for them.
  private Meters.ComputeCause awaitedCause = Meters.ComputeCause.MISS;
  /** A source's refresh came while a compute ran: start one when it ends, awaited or not. */
  private boolean refreshWhenDone;
  private Attempts.Attempt finished;
  /** Whether the key has no rows in the journal (its next compute is a first compute). */
  private final BooleanSupplier unwritten;

  SingleFlight(Key<?> key, KeyRuntime runtime, ActorRef<KeyCommand> self, KeyTimers timers, Logger log,
      Attempts attempts, Backoff backoff, FreshnessClock freshness, Dependencies dependencies,
      Observers observers, Replies replies, BooleanSupplier unwritten) {
    this.key = key;
    this.unwritten = unwritten;
    this.runtime = runtime;
    this.self = self;
    this.timers = timers;
    this.clock = runtime.clock();
    this.log = log;
    this.attempts = attempts;
    this.backoff = backoff;
    this.freshness = freshness;
    this.dependencies = dependencies;
    this.observers = observers;
    this.replies = replies;
    this.settings = runtime.settings().of(key.primer());
    this.meters = runtime.meters(key.primer());
  }

  /** A get: served, unless the key has no value and must not compute one. */
  void get(KeyState state, KeyCommand.Get get) {
    if (!state.hasValue() && !(get.computeOnMiss() && settings.computeOnMiss())) {
      meters.get(Meters.GetOutcome.NOT_CACHED);
      get.replyTo().tell(new KeyReply.Failed(Problem.of(KckException.Kind.NOT_CACHED, "Key '" + key + "' has no value ("
          + state.status().name().toLowerCase(Locale.ROOT) + ")" + (settings.computeOnMiss()
          ? " and the get asked not to compute one" : " and " + key.primer() + " does not compute on a miss"), null)));
      return;
    }
    serve(state, get.replyTo(), Map.of(), null);
  }

  /**
   * A tracked read by another key's compute (already recorded as a dependent): served like a get
   * that requires the reader's upstream versions. A reader that now waits on a compute of this key
   * which itself waits on another may be part of a cycle: a probe goes out to find out.
   */
  void read(KeyState state, KeyCommand.Read read) {
    if (!state.hasValue() && !settings.computeOnMiss()) {
      read.replyTo().tell(new KeyReply.Failed(Problem.of(KckException.Kind.NOT_CACHED, "Key '" + key
          + "' has no value and " + key.primer() + " does not compute on a miss (read by '" + read.reader() + "')", null)));
      return;
    }
    Attempts.Attempt running = attempts.running();
    List<String> path = new ArrayList<>(read.path());
    path.add(key.text());
    serve(state, read.replyTo(), read.required(), path);
    if (running != null && attempts.running() == running && attempts.isWaiting(read.replyTo())) {
      dependencies.probeFrom(running, read);
    }
  }

  /**
   * Answers a get or a read: at once from a value that is fresh and has seen {@code needs} (the
   * upstream versions the caller requires), else after the compute it takes. {@code path}: the
   * computes that wait on this answer (for a read), handed to a compute this starts.
   */
  void serve(KeyState state, ActorRef<KeyReply> replyTo, Map<String, Long> needs, List<String> path) {
    Meters.GetOutcome outcome = serveAndTell(state, replyTo, needs, path);
    if (path == null) { // a get (a read by another key's compute carries the path of computes)
      meters.get(outcome);
    }
  }

  private Meters.GetOutcome serveAndTell(KeyState state, ActorRef<KeyReply> replyTo, Map<String, Long> needs,
      List<String> path) {
    if (replies.answersAtOnce(state) && Lineage.satisfies(state.lineage(), needs)) {
      boolean unverified = dependencies.unverified(); // stale when an input never answered its check
      replyTo.tell(replies.entry(state, unverified));
      return unverified ? Meters.GetOutcome.STALE : Meters.GetOutcome.HIT;
    } else if (!state.hasValue()) {
      if (backoff.active()) {
        replyTo.tell(new KeyReply.Failed(backoff.refusal(key.text())));
        return Meters.GetOutcome.FAILED;
      }
      dependencies.require(needs);
      attempts.await(replyTo, attempts.joinable(needs, state.lineage()), true);
      awaitedCause = Meters.ComputeCause.MISS;
      startIfAwaited(state, path);
      return Meters.GetOutcome.MISS;
    } else if (state.outdated() || !Lineage.satisfies(state.lineage(), needs)) {
      // Behind its inputs: this caller must not see the old value, whatever the freshness policy.
      Map<String, Long> outstanding = Lineage.merged(state.outdatedBy(), needs);
      dependencies.require(outstanding);
      return awaitNewValue(state, replyTo, attempts.joinable(outstanding, state.lineage()), path,
          Meters.ComputeCause.INPUT_CHANGED);
    } else if (freshness.alwaysFresh()) { // a compute that starts after this get
      return awaitNewValue(state, replyTo, attempts.next(), path, Meters.ComputeCause.ALWAYS_FRESH);
    } else if (freshness.hardAgeReached()) {
      return awaitNewValue(state, replyTo, attempts.joinable(Map.of(), state.lineage()), path, Meters.ComputeCause.AGE);
    } else if (freshness.softAgeReached()) {
      replyTo.tell(replies.entry(state, true));
      startInBackground(state, Meters.ComputeCause.STALE); // stale-while-revalidate: one background refresh
      return Meters.GetOutcome.STALE;
    }
    return tell(replyTo, staleOrFailure(state, backoff.lastFailure())); // the refresh meant to replace it failed
  }

  private static Meters.GetOutcome tell(ActorRef<KeyReply> replyTo, KeyReply reply) {
    replyTo.tell(reply);
    return reply instanceof KeyReply.Failed ? Meters.GetOutcome.FAILED : Meters.GetOutcome.STALE;
  }

  /** A caller that needs a newer value than the key has: wait for it, unless the key backs off. */
  private Meters.GetOutcome awaitNewValue(KeyState state, ActorRef<KeyReply> replyTo, long minAttempt, List<String> path,
      Meters.ComputeCause cause) {
    if (backoff.active()) {
      return tell(replyTo, staleOrFailure(state, backoff.refusal(key.text())));
    }
    attempts.await(replyTo, minAttempt, true);
    awaitedCause = cause;
    startIfAwaited(state, path);
    return Meters.GetOutcome.MISS;
  }

  /** The last good value while it is young enough for stale-if-error; otherwise the failure. */
  private KeyReply staleOrFailure(KeyState state, Problem problem) {
    if (state.hasValue()
        && Duration.between(state.computedAt(), clock.instant()).compareTo(settings.staleIfError()) <= 0) {
      return replies.entry(state, true);
    }
    return new KeyReply.Failed(problem);
  }

  /** A refresh: answered by a compute that starts after it arrived, even during a backoff. */
  void refresh(KeyState state, ActorRef<KeyReply> replyTo) {
    observers.hook(HookEvent.Action.REFRESH, HookEvent.Phase.BEFORE, state.version(), null, null);
    attempts.await(replyTo, attempts.next(), false);
    awaitedCause = Meters.ComputeCause.REFRESH;
    startIfAwaited(state, null);
  }

  /** Starts a compute when none runs and the key is not backing off (a wake of a key without a value). */
  void startInBackground(KeyState state) {
    startInBackground(state, Meters.ComputeCause.WARM);
  }

  private void startInBackground(KeyState state, Meters.ComputeCause cause) {
    if (attempts.running() == null && !backoff.active()) {
      start(state, null, cause);
    }
  }

  /**
   * A refresh that must run even though a compute runs now (that compute was superseded by a
   * source change and its result is dropped): starts now when none runs, else once it ends.
   */
  void refreshInBackground(KeyState state) {
    if (attempts.running() == null) {
      startInBackground(state, Meters.ComputeCause.WARM);
    } else {
      refreshWhenDone = true;
    }
  }

  /** Starts a compute when none runs, even during a backoff (a periodic refresh, or its retry). */
  void startUnlessRunning(KeyState state) {
    if (attempts.running() == null) {
      start(state, null, Meters.ComputeCause.TIMER);
    }
  }

  /** Starts the next compute when someone waits for it and none runs. */
  void startIfAwaited(KeyState state, List<String> path) {
    if (attempts.running() == null && (attempts.anyWaiting() || refreshWhenDone)) {
      start(state, path, awaitedCause);
    }
  }

  /**
   * The entry to carry in this key's change notification ({@link KeyCommand.InputChanged}): what a
   * read that requires nothing would be answered with at once ({@link #serve}: a value, not
   * outdated, not always fresh, within its ages, no failure since, inputs verified), small enough
   * ({@code kck.dependencies.carry-values-up-to}) and already encoded; else null, and dependents ask.
   */
  EntryData carried(KeyState state) {
    boolean servedAtOnce = state.hasValue() && !state.outdated() && !freshness.alwaysFresh()
        && !freshness.hardAgeReached() && !freshness.softAgeReached() && backoff.lastFailure() == null
        && !dependencies.unverified();
    int length = servedAtOnce ? state.value().encodedLength() : -1;
    if (length < 0 || length > runtime.settings().carriedValueLimit()) {
      return null; // not servable, too large, or never encoded (an augment's result: encoding it may cost more)
    }
    return replies.entry(state, false).entry();
  }

  /** Starts the next attempt because an input changed; nothing may be running. */
  void start(KeyState state, List<String> path) {
    start(state, path, Meters.ComputeCause.INPUT_CHANGED);
  }

  /**
   * Starts the next attempt; nothing may be running. {@code path}: the computes waiting on this one
   * through reads, ending with this key (null: none).
   */
  private void start(KeyState state, List<String> path, Meters.ComputeCause cause) {
    refreshWhenDone = false;
    Map<String, Long> promised = Map.copyOf(dependencies.promise(state));
    TrackedReads reads = new TrackedReads(key.text(), path == null ? List.of(key.text()) : path, promised,
        state.value(), state.version(), runtime.codec(key.primer()), runtime.primers(),
        runtime.codecs(), runtime.client(), dependencies.takeCarried(state), meters);
    Attempts.Attempt attempt = attempts.start(promised, reads);
    attempt.cause = cause;
    attempt.startedNanos = System.nanoTime();
    attempt.baseVersion = state.version();
    attempt.wave = dependencies.takeWave();
    meters.computeStarted(cause);
    observers.hook(HookEvent.Action.COMPUTE, HookEvent.Phase.BEFORE, state.version(), null, null);
    SourceSnapshots snapshots = runtime.snapshotsFor(key.primer());
    // A key with no journal rows is marked before its compute's snapshot, so that source changes reach it.
    FirstComputes first = snapshots != null && unwritten.getAsBoolean() ? runtime.firstComputes() : null;
    attempt.task = runtime.batches().start( // alone, or in a batch of its primer's keys
        new ComputeRun(key, runtime.codec(key.primer()), runtime.settings(), attempt, reads, self, cause.name().toLowerCase(
            Locale.ROOT), promised, snapshots, first));
    timers.start(TIMEOUT_TIMER, new KeyCommand.ComputeTimedOut(attempt.number), settings.computeTimeout());
  }

  /** The compute of {@code number} answered: the attempt, or null for a late answer (timed out, say). */
  Attempts.Attempt finish(long number) {
    Attempts.Attempt done = attempts.finish(number);
    if (done != null) {
      timers.cancel(TIMEOUT_TIMER);
      finished = done;
      refreshWhenDone |= done.refreshOwed;
    }
    return done;
  }

  /** The compute of {@code number} ran past its timeout: it is interrupted and fails its waiters. */
  void timedOut(KeyState state, long number) {
    Attempts.Attempt abandoned = attempts.finish(number);
    if (abandoned == null) {
      return;
    }
    finished = abandoned;
    refreshWhenDone |= abandoned.refreshOwed;
    abandoned.task.cancel();
    if (abandoned.superseded) {
      startIfAwaited(state, null);
    } else {
      failed(state, number, Problem.of(KckException.Kind.COMPUTE_TIMEOUT,
          "Compute of key '" + key + "' did not finish within " + settings.computeTimeout() + "; it was interrupted",
          null));
    }
  }

  /** Attempt {@code number} failed: its waiters hear of it, and the key backs off. */
  void failed(KeyState state, long number, Problem problem) {
    ended(number, problem.kind() == KckException.Kind.COMPUTE_TIMEOUT
        ? Meters.ComputeOutcome.TIMED_OUT : Meters.ComputeOutcome.FAILED, -1);
    KckException failure = problem.toException(key.text());
    observers.hook(HookEvent.Action.COMPUTE, HookEvent.Phase.AFTER, 0, null, failure);
    Duration wait = backoff.failed(problem);
    timers.start(BACKOFF_TIMER, KeyCommand.BackoffOver.INSTANCE, wait);
    log.warn("{} (failure {} in a row; next attempt not before {})", problem.message(), backoff.failuresInARow(), wait);
    KeyReply.Failed failed = new KeyReply.Failed(problem);
    KeyReply stale = staleOrFailure(state, problem);
    for (Attempts.Waiter waiter : attempts.satisfiedBy(number)) {
      waiter.replyTo().tell(waiter.acceptsStale() ? stale : failed);
      if (!waiter.acceptsStale()) {
        observers.hook(HookEvent.Action.REFRESH, HookEvent.Phase.AFTER, 0, null, failure);
      }
    }
    freshness.retryAfter(wait, backoff.retryAt());
    // Refreshes that arrived during the failed attempt asked for a later one; they get it now.
    startIfAwaited(state, null);
  }

  /** Attempt {@code number} made a value (journaled): every waiter it satisfies gets it. */
  void succeeded(long number, KeyReply.Ok reply) {
    ended(number, Meters.ComputeOutcome.STORED, reply.entry().version());
    clearBackoff();
    for (Attempts.Waiter waiter : attempts.satisfiedBy(number)) {
      waiter.replyTo().tell(reply);
      if (!waiter.acceptsStale()) {
        observers.hook(HookEvent.Action.REFRESH, HookEvent.Phase.AFTER, reply.entry().version(), null, null);
      }
    }
  }

  /** Records how attempt {@code number} ended; a stored value of its base version was unchanged (early cutoff). */
  private void ended(long number, Meters.ComputeOutcome outcome, long version) {
    if (finished != null && finished.number == number) {
      meters.computeEnded(outcome == Meters.ComputeOutcome.STORED && version == finished.baseVersion
          ? Meters.ComputeOutcome.UNCHANGED : outcome, finished.startedNanos);
      finished = null;
    }
  }

  /** A put's value is newer than anything the waiters asked for: they all get it. */
  void answerAll(KeyReply reply) {
    attempts.drain().forEach(waiter -> waiter.replyTo().tell(reply));
  }

  /** The backoff timer fired. */
  void backoffOver() {
    backoff.over();
  }

  /** A put or invalidation: no failure stands any more. */
  void clearBackoff() {
    backoff.clear();
    timers.cancel(BACKOFF_TIMER);
  }

  /** {@code replyTo} waits for a write of this key to be journaled. */
  @Override
  public void writing(ActorRef<KeyReply> replyTo) {
    writers.add(replyTo);
  }

  /** The write {@code replyTo} waited for is journaled (it is answered by the caller of this). */
  @Override
  public void written(ActorRef<KeyReply> replyTo) {
    writers.remove(replyTo);
  }

  /** Nothing computes, nobody waits for a compute or a write. */
  boolean idle() {
    return attempts.running() == null && !attempts.anyWaiting() && writers.isEmpty();
  }

  /**
   * The key stops or restarts: its compute is interrupted, and every caller waiting for a compute
   * or a write is told at once that nothing was changed.
   */
  void reset() {
    timers.cancel(TIMEOUT_TIMER);
    timers.cancel(BACKOFF_TIMER);
    finished = null;
    awaitedCause = Meters.ComputeCause.MISS;
    List<Attempts.Waiter> waiting = attempts.drain();
    Attempts.Attempt running = attempts.reset();
    if (running != null && running.task != null) {
      running.task.cancel();
    }
    backoff.reset();
    if (!waiting.isEmpty() || !writers.isEmpty()) {
      KeyReply.Failed failed = new KeyReply.Failed(Problem.of(KckException.Kind.UNAVAILABLE,
          "Key '" + key + "' stopped before it could answer (its journal failed, or the node is shutting down);"
              + " nothing was changed, the request may be retried", null));
      waiting.forEach(waiter -> waiter.replyTo().tell(failed));
      writers.forEach(writer -> writer.tell(failed));
      writers.clear();
    }
  }
}
