package io.kck.persistence;

import akka.dispatch.DispatcherPrerequisites;
import akka.dispatch.ExecutorServiceConfigurator;
import akka.dispatch.ExecutorServiceFactory;
import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor of KCK's journal dispatcher ({@code kck.journal-dispatcher}): a task runs on the
 * thread that submits it, unless that thread is already running one of this executor's tasks;
 * then it goes to a small pool of its own threads ({@code caller-runs-executor.threads}).
 *
 * <p>Why: a put crosses the journal actor twice, once when the key asks it to write and once when
 * the write's future completes. On an ordinary dispatcher each crossing wakes a parked thread
 * (tens of microseconds on a small machine, a tenth of a put with one writer). The journal actor
 * never blocks: its statements run on the journal's own threads ({@link GroupCommit}, {@link
 * JournalDatabase}), and what it does itself (serialize an event, queue a write, send the replies)
 * takes microseconds, so the thread that already has the message can do it.
 *
 * <p>One level only: a task submitted from inside a caller-run task (the journal's mailbox
 * rescheduled because more messages came while it ran) goes to the pool, so the stack never grows
 * with the load and no caller runs the journal for longer than one mailbox turn ({@code
 * throughput} messages). Akka runs an actor's mailbox on one thread at a time whoever submits it,
 * so the actor's guarantees hold. Thread-safe.
 */
public final class CallerRunsExecutorConfigurator extends ExecutorServiceConfigurator {
  private static final Logger LOG = LoggerFactory.getLogger(CallerRunsExecutorConfigurator.class);
  // Whether this thread is running a task of such an executor; an int[] so that the hot path does not box.
  private static final ThreadLocal<int[]> RUNNING = ThreadLocal.withInitial(() -> new int[1]);

  private final int threads;

  public CallerRunsExecutorConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    this.threads = config.getConfig("caller-runs-executor").getInt("threads");
    if (threads < 1) {
      throw new IllegalArgumentException("caller-runs-executor.threads must be at least 1, got " + threads);
    }
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory akkaThreads) {
    return () -> new CallerRuns(JournalDatabase.threads(id, threads));
  }

  private static final class CallerRuns extends AbstractExecutorService {
    private final ExecutorService pool;

    CallerRuns(ExecutorService pool) {
      this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
      int[] running = RUNNING.get();
      if (running[0] > 0 || pool.isShutdown()) {
        pool.execute(task); // rejects once shut down, as Akka expects of a stopped dispatcher
        return;
      }
      running[0] = 1;
      try {
        task.run();
      } catch (RuntimeException e) {
        // Akka's mailbox and future tasks handle their own failures; anything else is a bug in the
        // task, and it must not surface in the caller (a key's actor, a journal writer thread).
        LOG.error("A task of KCK's journal dispatcher failed", e);
      } finally {
        running[0] = 0;
      }
    }

    @Override
    public void shutdown() {
      pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return pool.awaitTermination(timeout, unit);
    }
  }
}
