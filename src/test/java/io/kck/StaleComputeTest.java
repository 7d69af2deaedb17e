package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.testing.Eventually;
import io.kck.testing.GraphPrimer;
import io.kck.testing.KeyStatuses;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A compute whose input changes while it runs: it is told (cancelled, interrupted), its result is
 * never stored, one new compute starts from the new input, and the callers that waited get that
 * new value, once.
 */
class StaleComputeTest {
  static final GraphPrimer input = new GraphPrimer("stale-input", (id, context) -> "0");

  // The first compute of each key reads its input and then blocks until it is interrupted.
  static final CountDownLatch politeRead = new CountDownLatch(1);
  static final CountDownLatch politeStopped = new CountDownLatch(1);
  static final AtomicLong politeStoppedAt = new AtomicLong();
  static final AtomicBoolean politeSawCancel = new AtomicBoolean();
  static final AtomicInteger politeCalls = new AtomicInteger();
  static final GraphPrimer polite = new GraphPrimer("stale-polite", (id, context) -> {
    String seen = context.get(input.key(id));
    if (politeCalls.incrementAndGet() == 1) {
      politeRead.countDown();
      try {
        new CountDownLatch(1).await(); // a source that does not answer: only the interrupt ends it
      } catch (InterruptedException e) {
        politeStoppedAt.set(System.nanoTime());
        politeSawCancel.set(context.isCancelled());
        politeStopped.countDown();
        throw e;
      }
    }
    return "polite(" + seen + ")";
  });

  // The first compute reads its input, then ignores the interrupt until the test lets it go.
  static final CountDownLatch stubbornRead = new CountDownLatch(1);
  static final CountDownLatch stubbornGo = new CountDownLatch(1);
  static final AtomicInteger stubbornCalls = new AtomicInteger();
  static final GraphPrimer stubborn = new GraphPrimer("stale-stubborn", (id, context) -> {
    String seen = context.get(input.key(id));
    if (stubbornCalls.incrementAndGet() == 1) {
      stubbornRead.countDown();
      boolean waited = false;
      while (!waited) {
        try {
          waited = stubbornGo.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException ignored) {
          // a compute that does not honour the cancellation
        }
      }
    }
    return "stubborn(" + seen + ")";
  });

  static ActorTestKit testKit;
  static Kck kck;
  static SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("StaleComputeTest", TestNodes.config("kck.compute.parallelism = 4"));
    kck = Kck.builder(testKit.system()).primers(input, polite, stubborn).meterRegistry(meters).start();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aComputeWhoseInputChangesIsCancelledAndReplacedOnce() throws Exception {
    Stages.await(kck.put(input.key("p"), "a1"));
    List<CompletableFuture<Entry<String>>> waiting = List.of(
        kck.getEntry(polite.key("p")).toCompletableFuture(),
        kck.getEntry(polite.key("p")).toCompletableFuture(),
        kck.getEntry(polite.key("p")).toCompletableFuture());
    assertTrue(politeRead.await(30, TimeUnit.SECONDS), "the first compute read its input");

    Stages.await(kck.put(input.key("p"), "a2"));
    long changed = System.nanoTime();

    assertTrue(politeStopped.await(30, TimeUnit.SECONDS), "the stale compute was interrupted");
    assertTrue(politeSawCancel.get(), "its context said it was cancelled");
    long wasted = TimeUnit.NANOSECONDS.toMillis(politeStoppedAt.get() - changed);
    System.out.println("stale compute interrupted " + wasted + " ms after its input's put was acknowledged");
    assertTrue(wasted < 10_000, "it stopped soon after the change, not after " + wasted + " ms");
    for (CompletableFuture<Entry<String>> caller : waiting) {
      Entry<String> entry = Stages.await(caller);
      assertEquals("polite(a2)", entry.value(), "every waiter gets the value of the new input");
      assertEquals(1, entry.version(), "one value stored: the stale one never was");
    }
    assertEquals(2, polite.computes(), "the cancelled compute and one that replaced it");
    assertEquals(1, KeyStatuses.of(kck, "stale-polite/p").version());
  }

  @Test
  void aComputeThatIgnoresTheCancellationCannotStoreItsStaleResult() throws Exception {
    Stages.await(kck.put(input.key("s"), "b1"));
    CompletableFuture<Entry<String>> waiting = kck.getEntry(stubborn.key("s")).toCompletableFuture();
    assertTrue(stubbornRead.await(30, TimeUnit.SECONDS), "the first compute read its input");

    Stages.await(kck.put(input.key("s"), "b2"));
    Entry<String> entry = Stages.await(waiting); // while the stale compute still holds its thread
    assertEquals("stubborn(b2)", entry.value());
    assertEquals(1, entry.version());

    stubbornGo.countDown();
    // The stale compute returns "stubborn(b1)"; once its thread is free, its answer is in the key's
    // mailbox, ahead of the inspection below.
    Eventually.until("the stale compute to return", () -> meters.get("kck.compute.stuck").gauge().value(),
        stuck -> stuck == 0);
    assertEquals(1, KeyStatuses.of(kck, "stale-stubborn/s").version(), "the stale result was dropped");
    assertEquals("stubborn(b2)", Stages.await(kck.get(stubborn.key("s"))));
    assertEquals(2, stubborn.computes());
  }
}
