package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.errors.ComputeTimeoutException;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestClock;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compute pool under computes that do not behave, on a pool of two: a compute that ignores
 * its interrupt after its timeout no longer takes a place, and a primer's cap keeps one slow
 * product from taking them all. On Akka's manual time: timeouts pass when the test says so.
 */
class ComputePoolTest {
  /** Waits until released, ignoring interrupts (a JDBC call without timeouts would). */
  static final class Deaf extends CountingPrimer {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger started = new AtomicInteger();

    Deaf(String name) {
      super(name);
      body((key, count) -> {
        started.incrementAndGet();
        boolean released = false;
        while (!released) {
          try {
            released = release.await(1, java.util.concurrent.TimeUnit.DAYS);
          } catch (InterruptedException ignored) {
            // deaf to it, on purpose
          }
        }
        return "late " + key.get(ID);
      });
    }

    @Override
    public Optional<Duration> computeTimeout() {
      return Optional.of(Duration.ofSeconds(5));
    }
  }

  static final Deaf deaf = new Deaf("pool-deaf");
  static final Deaf capped = new Deaf("pool-capped");
  static final CountingPrimer other = new CountingPrimer("pool-other");
  static ActorTestKit testKit;
  static TestClock clock;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("ComputePoolTest", TestNodes.manualTimeConfig(
        """
        kck.compute.parallelism = 2
        kck.compute.max-threads = 16
        kck.primers."pool-capped".max-concurrent-computes = 1
        """));
    clock = TestClock.of(testKit);
    kck = Kck.builder(testKit.system()).clock(clock).primers(deaf, capped, other).start();
    TestNodes.warmUp(testKit, clock, kck, "pool-other/warm-up");
  }

  @AfterAll
  static void stop() {
    deaf.release.countDown();
    capped.release.countDown();
    TestNodes.shutdown(testKit, clock);
  }

  @Test
  void twoComputesThatIgnoreTheirInterruptDoNotStopAThirdPrimersKeys() {
    CompletableFuture<Object> a = kck.get("pool-deaf/a").toCompletableFuture();
    CompletableFuture<Object> b = kck.get("pool-deaf/b").toCompletableFuture();
    Eventually.count("deaf computes started", deaf.started::get, 2);
    int before = other.computes();
    CompletableFuture<Object> waiting = kck.get("pool-other/x").toCompletableFuture();
    // Both places are taken: the third key's compute cannot start yet.
    assertEquals(before, other.computes(), "a compute started on a full pool");

    clock.timePasses(Duration.ofSeconds(5)); // both time out; their threads ignore the interrupt
    Stages.failure(a, ComputeTimeoutException.class);
    Stages.failure(b, ComputeTimeoutException.class);
    assertEquals("value of x", Stages.await(waiting), "the abandoned computes gave up their places");
    assertEquals(2, deaf.started.get(), "the deaf threads still run, counted apart");
  }

  @Test
  void aPrimersCapKeepsItsSlowComputesFromTakingEveryPlace() {
    CompletableFuture<Object> first = kck.get("pool-capped/1").toCompletableFuture();
    Eventually.count("capped computes started", capped.started::get, 1);
    CompletableFuture<Object> second = kck.get("pool-capped/2").toCompletableFuture();
    // Submitted after the second capped key, another primer's key gets the free place...
    assertEquals("value of y", Stages.await(kck.get("pool-other/y")));
    // ...which the second capped key was passed over for: its primer is at its cap of one.
    assertEquals(1, capped.started.get(), "two computes of a primer capped at one");
    assertFalse(second.isDone());

    capped.release.countDown();
    assertEquals("late 1", Stages.await(first));
    assertEquals("late 2", Stages.await(second));
  }
}
