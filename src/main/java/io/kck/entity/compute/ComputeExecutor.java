package io.kck.entity.compute;

import com.typesafe.config.Config;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where computes run: never on an actor or an Akka dispatcher, since primer code may block (JDBC,
 * HTTP). At most {@code parallelism} computes run at once, and at most a primer's own cap of one
 * primer ({@code kck.primers."<name>".max-concurrent-computes}); the others wait in submission
 * order. Three things free a compute's place for the next one:
 *
 * <ul>
 *   <li>it ends;
 *   <li>it waits for another product ({@link #blockOn}): a chain of products deeper than the pool
 *       completes, because a waiting compute holds a thread but no place, and takes its place back
 *       before any compute that has not started yet;
 *   <li>it is abandoned after its timeout ({@link Task#cancel}): its thread is interrupted, and if
 *       the primer's code ignores the interrupt (a JDBC call without a timeout) the thread stays
 *       busy but no longer counts, so one stuck source cannot take the pool for good. It is logged
 *       and counted ({@link #stuck()}).
 * </ul>
 *
 * Threads are started as needed and kept a minute; running, waiting and stuck computes together
 * hold at most {@code max-threads} of them (past it, computes wait for a thread). Thread-safe.
 */
public final class ComputeExecutor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ComputeExecutor.class);
  private static final ThreadLocal<Task> current = new ThreadLocal<>();

  private final int parallelism;
  private final int maxThreads;
  private final Map<String, Integer> caps;
  private final ThreadPoolExecutor threads;
  private final Object lock = new Object();
  // Guarded by lock: what holds a place, what waits for one, how many threads are taken.
  private int running;
  private final Map<String, Integer> runningByPrimer = new HashMap<>();
  private final ArrayDeque<Task> notStarted = new ArrayDeque<>();
  private final ArrayDeque<Task> resuming = new ArrayDeque<>();
  private int threadsTaken;
  private int stuck;

  ComputeExecutor(int parallelism, int maxThreads, Map<String, Integer> primerCaps) {
    this.parallelism = parallelism;
    this.maxThreads = maxThreads;
    this.caps = Map.copyOf(primerCaps);
    AtomicInteger number = new AtomicInteger();
    this.threads = new ThreadPoolExecutor(0, maxThreads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), work -> {
      Thread thread = new Thread(work, "kck-compute-" + number.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * From {@code kck.compute}, with the per-primer caps of {@code kck.primers} (primer name to its
   * {@code max-concurrent-computes}).
   */
  public static ComputeExecutor fromConfig(Config compute, Map<String, Integer> primerCaps) {
    int parallelism = compute.getInt("parallelism");
    int maxThreads = compute.getInt("max-threads");
    if (parallelism < 1 || maxThreads < parallelism) {
      throw new IllegalArgumentException("kck.compute: need 1 <= parallelism <= max-threads, got parallelism="
          + parallelism + ", max-threads=" + maxThreads);
    }
    return new ComputeExecutor(parallelism, maxThreads, primerCaps);
  }

  /**
   * Runs {@code work}, a compute of a key of {@code primer}, when it gets a place.
   *
   * @return a handle that abandons the work (before it starts, or while it runs)
   */
  public Task submit(String primer, Runnable work) {
    Task task = new Task(primer, work);
    synchronized (lock) {
      notStarted.add(task);
      dispatch();
    }
    return task;
  }

  /**
   * Called on a compute thread: waits for {@code wait} (a read of another product) without
   * holding the compute's place, and takes the place back before returning.
   */
  public static <T> T blockOn(Callable<T> wait) throws Exception {
    Task task = current.get();
    if (task == null) {
      return wait.call(); // not a compute thread (a test calling directly)
    }
    task.owner.release(task, false);
    try {
      return wait.call();
    } finally {
      task.owner.resume(task);
    }
  }

  /** Computes abandoned after their timeout whose thread has not stopped yet. */
  public int stuck() {
    synchronized (lock) {
      return stuck;
    }
  }

  /** Computes that hold a place now. */
  public int running() {
    synchronized (lock) {
      return running;
    }
  }

  /** Computes waiting for a place (not started, or back from a read of another product). */
  public int queued() {
    synchronized (lock) {
      return notStarted.size() + resuming.size();
    }
  }

  /** Threads in use now: running, waiting for another product, or stuck. */
  public int threadsInUse() {
    synchronized (lock) {
      return threadsTaken;
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }

  private int cap(String primer) {
    return Math.min(parallelism, caps.getOrDefault(primer, parallelism));
  }

  private boolean fits(Task task) {
    return running < parallelism && runningByPrimer.getOrDefault(task.primer, 0) < cap(task.primer);
  }

  private void take(Task task) {
    running++;
    runningByPrimer.merge(task.primer, 1, Integer::sum);
    task.holdsPlace = true;
  }

  /** Gives places to resuming computes first, then starts what fits. Holds the lock. */
  private void dispatch() {
    for (Iterator<Task> it = resuming.iterator(); it.hasNext(); ) {
      Task task = it.next();
      if (fits(task)) {
        it.remove();
        take(task);
        lock.notifyAll();
      }
    }
    for (Iterator<Task> it = notStarted.iterator(); it.hasNext() && running < parallelism && threadsTaken < maxThreads; ) {
      Task task = it.next();
      if (task.abandoned) {
        it.remove();
      } else if (fits(task)) {
        it.remove();
        take(task);
        threadsTaken++;
        try {
          threads.execute(task);
        } catch (RejectedExecutionException e) {
          // Shut down, or a thread of a finished compute not yet back in the pool: try again later.
          threadsTaken--;
          release(task, false);
          notStarted.addFirst(task);
          return;
        }
      }
    }
  }

  /** {@code task} gives up its place (it ended, waits for a product, or was abandoned). */
  private void release(Task task, boolean threadToo) {
    synchronized (lock) {
      if (task.holdsPlace) {
        task.holdsPlace = false;
        running--;
        runningByPrimer.merge(task.primer, -1, Integer::sum);
      }
      if (threadToo) {
        threadsTaken--;
      }
      dispatch();
    }
  }

  /** A compute that waited for another product takes its place back, before any new compute. */
  private void resume(Task task) throws InterruptedException {
    synchronized (lock) {
      if (task.abandoned) {
        return; // it runs on without a place; its result will be dropped
      }
      resuming.add(task);
      dispatch();
      while (!task.holdsPlace && !task.abandoned) {
        lock.wait();
      }
      resuming.remove(task);
    }
  }

  /** One submitted compute; {@link #cancel()} abandons it. */
  public final class Task implements Runnable {
    private final String primer;
    private final Runnable work;
    private final ComputeExecutor owner = ComputeExecutor.this;
    private Thread runner; // guarded by lock
    private boolean done; // guarded by lock
    private boolean abandoned; // guarded by lock
    private boolean holdsPlace; // guarded by lock
    private boolean quiet; // guarded by lock: cancelled as stale, an expected end

    private Task(String primer, Runnable work) {
      this.primer = primer;
      this.work = work;
    }

    @Override
    public void run() {
      synchronized (lock) {
        if (abandoned) {
          release(this, true);
          return;
        }
        runner = Thread.currentThread();
      }
      current.set(this);
      try {
        work.run();
      } finally {
        current.remove();
        synchronized (lock) {
          done = true;
          runner = null;
          if (abandoned) {
            stuck--;
            if (!quiet) {
              log.info("An abandoned compute of primer '{}' has ended; its thread is free again", primer);
            }
          }
          // An interrupt meant for this work must not hit the next task on this thread.
          Thread.interrupted();
          release(this, true);
        }
      }
    }

    /**
     * Abandons the work: not started yet, it never starts; running, its thread is interrupted and
     * its place goes to the next compute at once, whether or not the thread stops.
     */
    public void cancel() {
      cancel(false);
    }

    /**
     * As {@link #cancel()}, for work KCK gave up on because its inputs changed: expected in normal
     * operation, so logged at debug, not as a warning.
     */
    public void cancelStale() {
      cancel(true);
    }

    private void cancel(boolean stale) {
      synchronized (lock) {
        if (done || abandoned) {
          return;
        }
        abandoned = true;
        quiet = stale;
        if (runner != null) {
          runner.interrupt();
          stuckUnlessItStops(runner);
        }
        lock.notifyAll();
        release(this, false);
      }
    }

    private void stuckUnlessItStops(Thread thread) {
      // Stuck until its thread returns (a compute that honours the interrupt does within moments).
      stuck++;
      if (quiet) {
        log.debug("A compute of primer '{}' on {} was cancelled (an input it read changed) and interrupted; its place"
            + " goes to the next compute", primer, thread.getName());
        return;
      }
      log.warn("A compute of primer '{}' on {} was abandoned (its timeout passed, or its key stopped) and"
          + " interrupted; its place goes to the next compute. If the thread does not stop, the primer's code"
          + " ignores interrupts (set timeouts on its JDBC or HTTP calls)", primer, thread.getName());
    }
  }
}
