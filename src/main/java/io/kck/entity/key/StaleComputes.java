package io.kck.entity.key;

import io.kck.entity.KeyState;
import io.kck.entity.Lineage;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Keeps a key from storing a value older than its inputs. When an input changes while a compute
 * runs that has already read the version the change replaces, that compute is cancelled at once
 * ({@link io.kck.primer.ComputeContext#isCancelled()} turns true and its thread is interrupted), its
 * waiters wait for the next compute, and that one starts (through the coalescing window, as any
 * recompute of an input's change). A compute that has not read the input yet goes on: it will read
 * the new version. A compute that ignores the cancellation keeps its thread until it returns; its
 * answer comes back with an old attempt number and is dropped. A change that reaches the key only
 * once its compute is done is caught by {@link Dependencies#missedBy}: that result is not stored
 * either. Decides and starts; persists nothing. Used by the key's actor only.
 */
final class StaleComputes {
  private final String key;
  private final Attempts attempts;
  private final SingleFlight flight;
  private final Dependencies dependencies;
  private final boolean eager;
  private final Logger log;

  StaleComputes(String key, Attempts attempts, SingleFlight flight, Dependencies dependencies, boolean eager,
      Logger log) {
    this.key = key;
    this.attempts = attempts;
    this.flight = flight;
    this.dependencies = dependencies;
    this.eager = eager;
    this.log = log;
  }

  /**
   * An input changed ({@code cause}: upstream key to its new version). Cancels the running compute
   * if it read an older version of any of them. True when it did and a compute to replace it has
   * started or is owed (the caller need not react to the change); false when nothing was cancelled,
   * or when nobody wants the replacement now (a lazy key's background compute: the caller marks the
   * value outdated as usual).
   */
  boolean cancelIfStale(KeyState state, Map<String, Long> cause) {
    Attempts.Attempt running = attempts.running();
    if (running == null || running.superseded || Lineage.satisfies(running.reads.readSoFar(), cause)) {
      return false;
    }
    flight.finish(running.number);
    running.reads.cancel();
    if (running.task != null) {
      running.task.cancelStale(); // interrupts it; its place in the pool goes to the next compute
    }
    log.debug("Compute {} of key '{}' cancelled: an input it read changed ({})", running.number, key, cause);
    return recompute(state, cause);
  }

  /**
   * A compute's result is older than {@code cause} and is dropped: its waiters wait for the next
   * compute, which must see {@code cause}, and which starts now (or at the end of the coalescing
   * window) when the key is eager or someone waits. True when a compute was started or is owed.
   */
  boolean recompute(KeyState state, Map<String, Long> cause) {
    attempts.deferAllToNext();
    dependencies.require(cause);
    if (!eager && !attempts.anyWaiting()) {
      return false;
    }
    if (dependencies.mayRecomputeNow(false)) {
      flight.start(state, null);
    }
    return true;
  }
}
