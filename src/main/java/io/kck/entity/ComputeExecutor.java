package io.kck.entity;

import com.typesafe.config.Config;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool every compute runs on: a ForkJoinPool of its own, so that primer code that blocks
 * (JDBC, HTTP) never runs on an actor's thread or on Akka's dispatchers. A compute that waits for
 * another product through {@link ForkJoinPool#managedBlock} lets the pool add a thread (up to
 * {@code max-threads}), which is why a chain of products deeper than the pool's parallelism does
 * not starve. Thread-safe.
 */
public final class ComputeExecutor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ComputeExecutor.class);

  private final ForkJoinPool pool;

  ComputeExecutor(int parallelism, int maxThreads) {
    AtomicInteger threadNumber = new AtomicInteger();
    ForkJoinPool.ForkJoinWorkerThreadFactory threads =
        p -> {
          ForkJoinWorkerThread thread =
              ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
          thread.setName("kck-compute-" + threadNumber.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    this.pool =
        new ForkJoinPool(
            parallelism,
            threads,
            (thread, error) -> log.error("Uncaught error on {}", thread.getName(), error),
            true,
            0,
            Math.max(parallelism, maxThreads),
            1,
            // Past max-threads a blocked compute waits rather than failing the pool.
            p -> true,
            60,
            TimeUnit.SECONDS);
  }

  /** From {@code kck.compute}. */
  public static ComputeExecutor fromConfig(Config compute) {
    int parallelism = compute.getInt("parallelism");
    int maxThreads = compute.getInt("max-threads");
    if (parallelism < 1 || maxThreads < parallelism) {
      throw new IllegalArgumentException(
          "kck.compute: need 1 <= parallelism <= max-threads, got parallelism=" + parallelism
              + ", max-threads=" + maxThreads);
    }
    return new ComputeExecutor(parallelism, maxThreads);
  }

  /**
   * Runs {@code work} on the pool.
   *
   * @return a handle that can interrupt the work while it runs
   */
  public Task submit(Runnable work) {
    Task task = new Task(work);
    pool.execute(task);
    return task;
  }

  /** Threads the pool has now (for tests and metrics). */
  public int poolSize() {
    return pool.getPoolSize();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  /** One submitted compute; {@link #cancel()} interrupts it if it is running. */
  public static final class Task implements Runnable {
    private final Runnable work;
    private Thread runner; // guarded by this
    private boolean done; // guarded by this

    private Task(Runnable work) {
      this.work = work;
    }

    @Override
    public void run() {
      synchronized (this) {
        if (done) {
          return;
        }
        runner = Thread.currentThread();
      }
      try {
        work.run();
      } finally {
        synchronized (this) {
          done = true;
          runner = null;
          // An interrupt meant for this work must not hit the next task on this thread.
          Thread.interrupted();
        }
      }
    }

    /** Stops the work: not started yet, it never starts; running, its thread is interrupted. */
    public synchronized void cancel() {
      done = true;
      if (runner != null) {
        runner.interrupt();
      }
    }
  }
}
