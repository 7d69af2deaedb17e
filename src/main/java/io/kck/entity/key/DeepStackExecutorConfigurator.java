package io.kck.entity.key;

import akka.dispatch.DispatcherPrerequisites;
import akka.dispatch.ExecutorServiceConfigurator;
import akka.dispatch.ExecutorServiceFactory;
import com.typesafe.config.Config;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor of the key entities' dispatcher ({@code kck.entity-dispatcher}): a fixed pool of
 * threads with a large stack.
 *
 * <p>Why: in Akka 2.8, an {@code EventSourcedBehavior} that unstashes commands which persist
 * nothing (gets, for a key) handles each one inside the call that handled the one before, so its
 * stack grows by about a kilobyte per stashed command. A thousand gets arriving while a key
 * loads its state overflow a default 1 MiB thread stack and take the JVM down (Akka issue
 * #29933, fixed only in releases we may not use). The stack here must hold {@code
 * kck.entity.stash-capacity} of them.
 */
public final class DeepStackExecutorConfigurator extends ExecutorServiceConfigurator {
  private final int threads;
  private final long stackSize;

  public DeepStackExecutorConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    Config own = config.getConfig("deep-stack-executor");
    int configured = own.getInt("threads");
    this.threads = configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    this.stackSize = own.getBytes("stack-size");
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory akkaThreads) {
    return () -> {
      AtomicInteger number = new AtomicInteger();
      ThreadFactory deepStacks =
          work -> {
            Thread thread = new Thread(null, work, id + "-" + number.incrementAndGet(), stackSize);
            thread.setDaemon(true);
            return thread;
          };
      return new ThreadPoolExecutor(
          threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), deepStacks);
    };
  }
}
