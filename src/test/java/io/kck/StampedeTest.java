package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.entity.node.Engine;
import io.kck.testing.CountingPrimer;
import io.kck.testing.TestNodes;
import io.micrometer.core.instrument.FunctionCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A stampede of gets of one cold key on one node: the key's actor is asked once, and every get is
 * answered with the one value.
 */
class StampedeTest {
  static final CountingPrimer gated = new CountingPrimer("stampede-gated");
  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    // No resending: a get sent twice would be counted twice by the key (and answered once).
    testKit = TestNodes.start("StampedeTest", TestNodes.config("kck.request-resend-after = off"));
    kck = Kck.start(testKit.system(), gated);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void tenThousandConcurrentGetsOfAColdKeyAskItsActorOnce() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    gated.body((key, count) -> {
      started.countDown();
      release.await();
      return "value of " + key.get(CountingPrimer.ID) + " #" + count;
    });
    ExecutorService threads = Executors.newFixedThreadPool(8);
    List<CompletableFuture<Object>> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 10_000; i++) {
      threads.execute(() -> answers.add(kck.get("stampede-gated/cold").toCompletableFuture()));
    }
    threads.shutdown();
    assertTrue(threads.awaitTermination(60, TimeUnit.SECONDS));
    assertTrue(started.await(60, TimeUnit.SECONDS), "the compute started");
    assertTrue(answers.stream().noneMatch(CompletableFuture::isDone), "the only compute is held back");
    assertEquals(1, Engine.on(testKit.system()).sharedGetsInFlight(), "one request in the air");
    release.countDown();

    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (CompletableFuture<Object> answer : answers) {
      assertEquals("value of cold #1", answer.join());
    }
    assertEquals(1, gated.computes());
    assertEquals(1.0, getsTheActorAnswered(), "gets that reached the key's actor");
    assertEquals(0, Engine.on(testKit.system()).sharedGetsInFlight(), "nothing left in the map of requests");
  }

  /** kck.gets of the primer, every outcome the key's actor counts (not this node's hits nor bulk loads). */
  private static double getsTheActorAnswered() {
    double sum = 0;
    for (FunctionCounter counter : kck.admin().meters().find("kck.gets").tag("primer", "stampede-gated")
        .functionCounters()) {
      String outcome = counter.getId().getTag("outcome");
      if (!outcome.equals("hit_local") && !outcome.equals("hit_near") && !outcome.equals("loaded")) {
        sum += counter.count();
      }
    }
    return sum;
  }
}
