package io.kck.entity.key;

import io.kck.entity.ComputeReads;
import io.kck.entity.EntryData;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyState;
import io.kck.entity.Lineage;
import io.kck.entity.Wave;
import io.kck.entity.metrics.Meters;
import io.kck.entity.metrics.Traces;
import io.kck.errors.DependencyCycleException;
import io.kck.primer.Key;
import io.kck.primer.Propagation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One key's part in the dependency graph, both as a reader and as an input: the upstream versions
 * its next compute must see ({@code required}), the changes heard while a compute ran, the
 * coalescing of eager recomputes, the retry of computes whose reads disagreed, the notifications it
 * sends its dependents, the check of its inputs when it starts, and the probes that find cycles
 * between computes waiting on each other. It decides and tells other keys; persisting and
 * computing are the caller's. Used by the key's actor only.
 */
final class Dependencies {
  private static final String COALESCE_TIMER = "coalesce";
  private static final String INPUT_CHECK_TIMER = "input-check";
  // Computes in a row whose reads saw two versions of one product before one is stored anyway.
  private static final int MAX_INCONSISTENT_ATTEMPTS = 3;

  private final String key;
  private final KeyRuntime runtime;
  private final KeyTimers timers;
  private final Duration coalesceWindow;
  private final Map<String, Long> required = new HashMap<>();
  private final Map<String, Long> changedWhileComputing = new HashMap<>();
  private boolean coalescing;
  private boolean recomputeDue;
  private int inconsistentAttempts;
  // Inputs asked at start-up whether they moved on, and not answered yet.
  private final Set<String> unchecked = new HashSet<>();
  private boolean checkTimedOut;
  // The newest entry each input carried in its change notification, for the next compute (eager keys only).
  private final boolean eager;
  private Map<String, EntryData> carried; // made when first needed: most keys never hold one
  // The earliest wave among the changes heard since the last compute started: the next one's.
  private Wave wave;
  private final Meters.PrimerMeters meters;

  Dependencies(Key<?> key, KeyRuntime runtime, KeyTimers timers) {
    this.key = key.text();
    this.meters = runtime.meters(key.primer());
    this.eager = runtime.settings().of(key.primer()).propagation() == Propagation.EAGER;
    this.runtime = runtime;
    this.timers = timers;
    this.coalesceWindow = runtime.settings().coalesceWindow();
  }

  /** The upstream versions a compute starting now must see. */
  Map<String, Long> promise(KeyState state) {
    return Lineage.merged(required, state.outdatedBy());
  }

  /** The next compute must see (at least) these upstream versions. */
  void require(Map<String, Long> versions) {
    Lineage.mergeInto(required, versions);
  }

  /**
   * A change arrived: while a compute runs it is kept (true), and whether the compute's result saw
   * it is decided when it is done; otherwise the caller reacts to it now (false).
   */
  boolean keptWhileComputing(Map<String, Long> cause, Attempts attempts) {
    if (attempts.running() == null) {
      return false;
    }
    Lineage.mergeInto(changedWhileComputing, cause);
    return true;
  }

  /**
   * Whether a change is news the key must react to: not from a key it no longer reads (that key is
   * told to stop), and not old news (its value was made from that version or a newer one).
   */
  boolean isNews(KeyState state, KeyCommand.InputChanged changed) {
    if (!state.inputs().containsKey(changed.input())) {
      notReading(changed.input());
      return false;
    }
    return !Lineage.satisfies(state.lineage(), changed.cause()) || (changed.outdated() && !state.hasValue());
  }

  /**
   * An input's change arrived: it answers the start-up check of that input; if it is news, the
   * next compute is part of its wave; and an eager key keeps the entry it carried for that compute
   * (which starts right away, or at the end of the coalescing window, so the entry is still the
   * input's newest or close to it). A later change of that input without an entry drops it.
   */
  void heard(KeyState state, KeyCommand.InputChanged changed) {
    answered(changed.input());
    if (!Lineage.satisfies(state.lineage(), changed.cause())) {
      wave = Wave.earlier(wave, changed.wave()); // news: the next compute is part of its wave
    }
    if (!eager) {
      return;
    }
    EntryData kept = carried == null ? null : carried.get(changed.input());
    if (kept != null && kept.version() > changed.version()) {
      return; // an older notification, overtaken
    }
    if (changed.carried() != null && !changed.outdated()) {
      if (carried == null) {
        carried = new HashMap<>();
      }
      carried.put(changed.input(), changed.carried());
    } else if (carried != null) {
      carried.remove(changed.input());
    }
  }

  /**
   * The carried entries for a compute that starts now, taken (each serves one compute): only of
   * inputs the key still reads, whose edge to this key therefore stands, so that reading the
   * carried entry instead of asking leaves the input still telling this key of its changes.
   */
  Map<String, EntryData> takeCarried(KeyState state) {
    if (carried == null || carried.isEmpty()) {
      return Map.of();
    }
    Map<String, EntryData> taken = new HashMap<>(carried);
    taken.keySet().retainAll(state.inputs().keySet());
    carried.clear();
    return taken;
  }

  /** The wave a compute that starts now belongs to (null: none; it starts one if it stores a value), taken. */
  Wave takeWave() {
    Wave taken = wave;
    wave = null;
    return taken;
  }

  /**
   * This key journaled a new version made in {@code wave} (null: none): an eager key records how
   * long after the wave's origin that was ({@code kck.propagation.lag}); a lazy key's new version
   * waits for a get, which says nothing about propagation.
   */
  void propagated(Wave wave, Instant now) {
    if (eager && wave != null) {
      meters.propagated(Duration.between(wave.startedAt(), now));
    }
  }

  /**
   * An eager recompute is wanted: true when it may start now; otherwise one is due at the end of
   * the running compute or of the coalescing window, for every change that arrives meanwhile.
   */
  boolean mayRecomputeNow(boolean computing) {
    if (computing || coalescing) {
      recomputeDue = true;
      return false;
    }
    if (!coalesceWindow.isZero()) {
      coalescing = true;
      timers.start(COALESCE_TIMER, KeyCommand.CoalesceOver.INSTANCE, coalesceWindow);
    }
    return true;
  }

  /** The coalescing window is over: true when a recompute became due in it and may start now. */
  boolean coalesceOver(boolean computing) {
    coalescing = false;
    if (recomputeDue && !computing) {
      recomputeDue = false;
      return true;
    }
    return false;
  }

  /**
   * A compute's reads saw two versions of one upstream product: true when it should run again
   * (in the same {@code wave}).
   */
  boolean computeAgain(ComputeReads reads, Wave wave) {
    if (reads.inconsistent() && inconsistentAttempts < MAX_INCONSISTENT_ATTEMPTS) {
      inconsistentAttempts++;
      this.wave = Wave.earlier(this.wave, wave);
      require(reads.lineage());
      return true;
    }
    inconsistentAttempts = 0;
    return false;
  }

  /**
   * A compute failed: the changes heard meanwhile are what the next one will read anyway, and the
   * next one is part of the failed one's {@code wave}.
   */
  void computeFailed(Wave wave) {
    changedWhileComputing.clear();
    this.wave = Wave.earlier(this.wave, wave);
  }

  /**
   * A compute is done: the changes heard while it ran that its reads are older than (it read a
   * version that a change replaced), or null when its reads saw them all. Such a result must not be
   * stored (StaleComputes): the changes are required of the next compute, part of {@code wave}.
   */
  Map<String, Long> missedBy(ComputeReads reads, Wave wave) {
    if (changedWhileComputing.isEmpty() || Lineage.satisfies(reads.lineage(), changedWhileComputing)) {
      return null;
    }
    Map<String, Long> cause = new HashMap<>(changedWhileComputing);
    changedWhileComputing.clear();
    require(cause);
    this.wave = Wave.earlier(this.wave, wave);
    return cause;
  }

  /**
   * A computed value (new or confirmed) is journaled: inputs no longer read stop telling this key,
   * and the changes heard while it ran are checked against what it read. Returns the cause of a
   * change it missed (the value is already behind), or null.
   */
  Map<String, Long> computed(KeyState before, KeyState after) {
    for (String input : before.inputs().keySet()) {
      if (!after.inputs().containsKey(input)) {
        runtime.client().tell(input, new KeyCommand.DependentGone(key));
      }
    }
    Lineage.prune(required, after.lineage());
    if (Lineage.satisfies(after.lineage(), changedWhileComputing)) {
      wave = null; // it saw every change heard while it ran: their waves end here
    }
    if (changedWhileComputing.isEmpty()) {
      return null;
    }
    Map<String, Long> cause = new HashMap<>(changedWhileComputing);
    changedWhileComputing.clear();
    if (Lineage.satisfies(after.lineage(), cause)) {
      return null;
    }
    require(cause);
    return cause;
  }

  /** Whether an eager recompute became due while the last compute ran (and no window holds it back). */
  boolean recomputeDueNow() {
    if (recomputeDue && !coalescing) {
      recomputeDue = false;
      return true;
    }
    return false;
  }

  /** No recompute is owed. */
  boolean idle() {
    return !recomputeDue;
  }

  /**
   * A new version of this key, made in {@code wave} (null: it starts one): the lag is recorded,
   * and only when someone depends on it are its wave, lineage and carried entry made and told.
   */
  void announce(KeyState state, KeyCommand.InputDelta delta, Wave wave, Supplier<EntryData> carried,
      Instant now) {
    propagated(wave, now);
    if (!state.dependents().isEmpty()) {
      tellDependents(state, state.lineageWith(key), false, delta, carried.get(),
          wave != null ? wave : Wave.startedBy(key, state.version(), now));
    }
  }

  /** The key dropped its value (invalidated): dependents made from it need its next one, a wave of its own. */
  void valueDropped(KeyState state, Instant now) {
    tellDependents(state, Map.of(key, state.version() + 1), true, null, null, Wave.startedBy(key, state.version(), now));
  }

  /**
   * Tells every dependent of {@code state} of a change ({@code delta}: how it was made, if by one;
   * {@code carried}: the new entry, for their recomputes to read without asking, or null; {@code
   * wave}: the wave the change belongs to).
   */
  void tellDependents(KeyState state, Map<String, Long> cause, boolean outdated, KeyCommand.InputDelta delta,
      EntryData carried, Wave wave) {
    if (state.dependents().isEmpty()) {
      return;
    }
    KeyCommand.InputChanged changed =
        new KeyCommand.InputChanged(key, state.version(), cause, outdated, delta, carried, wave);
    for (String dependent : state.dependents()) {
      runtime.client().tell(dependent, changed);
    }
    Traces.Propagate event = new Traces.Propagate();
    if (event.shouldCommit()) {
      event.key = key;
      event.version = state.version();
      event.dependents = state.dependents().size();
      event.outdated = outdated;
      event.cause = Traces.text(cause);
      event.wave = wave == null ? null : wave.id();
      event.commit();
    }
  }

  /** A key this one no longer reads told it of a change: that key should stop. */
  void notReading(String input) {
    runtime.client().tell(input, new KeyCommand.DependentGone(key));
  }

  /**
   * The key started: a notification sent while it was down (its node crashed) is lost, so it asks
   * each input whether it moved on. Until they have answered (or {@code
   * kck.dependencies.input-check-timeout} passed) gets wait, so that the first get after a start
   * does not answer a value its inputs have moved past.
   */
  void checkInputs(KeyState state) {
    unchecked.addAll(state.inputs().keySet());
    checkTimedOut = false;
    state.inputs().forEach((input, seen) -> runtime.client().tell(input, new KeyCommand.CheckInput(key, seen)));
    if (!unchecked.isEmpty()) {
      timers.start(INPUT_CHECK_TIMER, KeyCommand.InputCheckOver.INSTANCE, runtime.settings().inputCheckTimeout());
    }
  }

  /** Whether gets wait: inputs have not all answered whether they moved on, and it is not too late. */
  boolean checking() {
    return !unchecked.isEmpty() && !checkTimedOut;
  }

  /** Whether an input never answered its check: gets served now are marked stale. */
  boolean unverified() {
    return !unchecked.isEmpty();
  }

  /** {@code input} answered its check (with news or without). */
  void answered(String input) {
    unchecked.remove(input);
    if (unchecked.isEmpty()) {
      timers.cancel(INPUT_CHECK_TIMER);
    }
  }

  /**
   * An input answered its check without news ({@link KeyCommand.InputChecked}), or the time for
   * answers is over ({@link KeyCommand.InputCheckOver}: gets go on, marked stale).
   */
  void checkAnswered(KeyCommand answer) {
    if (answer instanceof KeyCommand.InputChecked checked) {
      answered(checked.input());
    } else {
      checkTimedOut = true;
    }
  }

  /** As an input: answers a dependent's {@link KeyCommand.CheckInput}, with its news or with none. */
  void answerCheck(KeyState state, KeyCommand.CheckInput check) {
    if (state.outdated()) {
      runtime.client().tell(check.dependent(), 
          new KeyCommand.InputChanged(key, state.version(), state.outdatedBy(), true, null, null, null));
    } else if (state.version() > check.seenVersion()) {
      runtime.client().tell(check.dependent(), 
          new KeyCommand.InputChanged(key, state.version(), state.lineageWith(key), false, null, null, null));
    } else {
      runtime.client().tell(check.dependent(), new KeyCommand.InputChecked(key));
    }
  }

  /**
   * As an input, when it starts: a version written shortly before (within {@code
   * kck.dependencies.reannounce-window}) may have been announced by a node that crashed before
   * the notification left it, so it is announced again; dependents that had it ignore it.
   */
  void reannounce(KeyState state, Instant now) {
    if (!state.dependents().isEmpty() && state.computedAt() != null
        && !state.computedAt().isBefore(now.minus(runtime.settings().reannounceWindow()))) {
      tellDependents(state, state.outdated() ? state.outdatedBy() : state.lineageWith(key), state.outdated(), null, null,
          null);
    }
  }

  /**
   * A read now waits on this key's compute, which itself waits on another key: if that chain leads
   * back to the reader, the computes wait on each other. A probe follows the chain to find out.
   */
  void probeFrom(Attempts.Attempt running, KeyCommand.Read read) {
    String next = running.reads.waitingOn();
    if (next != null) {
      runtime.client().tell(next, new KeyCommand.CycleProbe(List.of(read.reader(), key)));
    }
  }

  /** See {@link KeyCommand.CycleProbe}: fails the read of a compute on the cycle, or passes the probe on. */
  void onProbe(KeyCommand.CycleProbe probe, Attempts.Attempt running) {
    String next = running == null ? null : running.reads.waitingOn();
    if (next == null) {
      return; // this key's compute waits on nobody: no cycle through it
    }
    int at = probe.path().indexOf(key);
    if (at >= 0) {
      List<String> cycle = new ArrayList<>(probe.path().subList(at, probe.path().size()));
      cycle.add(key);
      running.reads.abort(new DependencyCycleException(key, "Dependency cycle: " + String.join(" -> ", cycle)
          + " (a product may not read itself, directly or through other products)"));
    } else {
      List<String> path = new ArrayList<>(probe.path());
      path.add(key);
      runtime.client().tell(next, new KeyCommand.CycleProbe(path));
    }
  }

  void reset() {
    timers.cancel(COALESCE_TIMER);
    timers.cancel(INPUT_CHECK_TIMER);
    unchecked.clear();
    checkTimedOut = false;
    required.clear();
    changedWhileComputing.clear();
    coalescing = false;
    recomputeDue = false;
    inconsistentAttempts = 0;
    carried = null;
    wave = null;
  }
}
