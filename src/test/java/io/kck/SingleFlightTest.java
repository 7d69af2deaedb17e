package io.kck;

import io.kck.errors.ComputeFailedException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
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

/** 1,000 concurrent gets of a cold key: one compute, one answer for all of them. */
class SingleFlightTest {
  static final CountingPrimer slow = new CountingPrimer("single-flight-slow");
  static final CountingPrimer broken = new CountingPrimer("single-flight-broken");
  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("SingleFlightTest", TestNodes.config());
    kck = Kck.start(testKit.system(), slow, broken);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void thousandConcurrentColdGetsRunOneCompute() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    slow.body((key, count) -> {
      release.await();
      return "value of " + key.get(CountingPrimer.ID) + " #" + count;
    });

    List<CompletableFuture<Object>> answers = getFromEightThreads("single-flight-slow/cold", 1000);
    // No get can have been answered: the only compute is held back.
    assertTrue(answers.stream().noneMatch(CompletableFuture::isDone));
    release.countDown();

    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    assertEquals(1, slow.computes(), "computes for 1,000 concurrent gets");
    for (CompletableFuture<Object> answer : answers) {
      assertEquals("value of cold #1", answer.join());
    }
  }

  @Test
  void aFailedComputeFailsEveryWaiterWithTheKeyAndTheCause() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    IllegalStateException boom = new IllegalStateException("source is down");
    broken.body((key, count) -> {
      release.await();
      throw boom;
    });

    List<CompletableFuture<Object>> answers = getFromEightThreads("single-flight-broken/x", 1000);
    release.countDown();

    for (CompletableFuture<Object> answer : answers) {
      ComputeFailedException failure = Stages.failure(answer, ComputeFailedException.class);
      assertEquals("single-flight-broken/x", failure.key());
      assertTrue(failure.getMessage().contains("single-flight-broken/x"), failure.getMessage());
      assertSame(boom, failure.getCause());
    }
    assertEquals(1, broken.computes());
  }

  private static List<CompletableFuture<Object>> getFromEightThreads(String key, int gets)
      throws InterruptedException {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    List<CompletableFuture<Object>> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < gets; i++) {
      threads.execute(() -> answers.add(kck.get(key).toCompletableFuture()));
    }
    threads.shutdown();
    assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
    assertEquals(gets, answers.size());
    return answers;
  }
}
