package io.kck.entity.key;

import io.kck.entity.compute.ComputeExecutor;
import io.kck.entity.settings.BatchSettings;
import io.kck.primer.BatchCompute;
import io.kck.primer.Primer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Where the keys of this node start their computes: on the compute pool one by one, or, for a
 * primer with a {@link BatchCompute}, as a key of the next batch of that primer. A key's actor
 * that starts a compute leases its compute slot to the batch: the slot is the key's running
 * attempt, so the key computes in no other way meanwhile, and every get of it waits for that
 * batch. A batch goes to the pool when it holds the primer's batch size of keys, or {@code
 * kck.batch.linger} after its first key came. Each key is owned by one actor in the cluster and
 * leases only on the node that runs it, so no key is ever in two batches at once, on any node.
 * Thread-safe.
 */
final class BatchLanes {
  private final ComputeExecutor executor;
  private final BatchSettings settings;
  private final Executor afterLinger;
  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

  BatchLanes(ComputeExecutor executor, BatchSettings settings) {
    this.executor = executor;
    this.settings = settings;
    this.afterLinger = CompletableFuture.delayedExecutor(settings.linger().toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Starts {@code run}: alone on the pool, or in its primer's next batch. */
  ComputeHandle start(ComputeRun run) {
    Primer<Object> primer = run.key().primer();
    Lane lane = lanes.get(primer.name());
    if (lane == null) {
      Optional<BatchCompute<Object>> batch = primer.batchCompute();
      if (batch.isEmpty()) {
        ComputeExecutor.Task task = executor.submit(primer.name(), run);
        return new ComputeHandle() {
          @Override
          public void cancel() {
            task.cancel();
          }

          @Override
          public void cancelStale() {
            task.cancelStale();
          }
        };
      }
      lane = lanes.computeIfAbsent(primer.name(), name -> new Lane(primer, batch.get(), settings.sizeOf(primer)));
    }
    return lane.lease(run);
  }

  /** The keys of one primer that wait for their batch to start. */
  private final class Lane {
    private final Primer<Object> primer;
    private final BatchCompute<Object> compute;
    private final int size;
    private List<Slot> pending = new ArrayList<>(); // guarded by this
    private long flushes; // guarded by this: which partial batch a linger timer was set for

    Lane(Primer<Object> primer, BatchCompute<Object> compute, int size) {
      this.primer = primer;
      this.compute = compute;
      this.size = size;
    }

    synchronized Slot lease(ComputeRun run) {
      Slot slot = new Slot(this, run);
      pending.add(slot);
      if (pending.size() >= size) {
        flush();
      } else if (pending.size() == 1) {
        long flush = flushes;
        afterLinger.execute(() -> lingerOver(flush));
      }
      return slot;
    }

    private synchronized void lingerOver(long flush) {
      if (flushes == flush && !pending.isEmpty()) {
        flush();
      }
    }

    /** Sends the pending keys to the pool as one batch. Holds the lock. */
    private void flush() {
      List<Slot> slots = pending;
      pending = new ArrayList<>();
      flushes++;
      BatchRun batch = new BatchRun(primer, compute, slots.stream().map(slot -> slot.run).toList());
      for (Slot slot : slots) {
        slot.batch = batch;
      }
      batch.task = executor.submit(primer.name(), batch);
    }

    synchronized void cancel(Slot slot) {
      if (slot.batch == null) {
        pending.remove(slot); // it never starts; the key's actor drops nothing, it never hears of it
      } else if (!slot.cancelled) {
        slot.cancelled = true;
        if (++slot.batch.cancelled == slot.batch.size()) {
          slot.batch.task.cancel(); // nobody waits for any key of it any more
        }
      }
    }
  }

  /** One key's leased compute slot. */
  private static final class Slot implements ComputeHandle {
    private final Lane lane;
    private final ComputeRun run;
    private BatchRun batch; // guarded by the lane: null while pending
    private boolean cancelled; // guarded by the lane

    Slot(Lane lane, ComputeRun run) {
      this.lane = lane;
      this.run = run;
    }

    @Override
    public void cancel() {
      lane.cancel(this);
    }
  }
}
