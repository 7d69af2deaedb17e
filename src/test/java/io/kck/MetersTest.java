package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gauges of what waits on a node: callers waiting for computes, listeners, warm keys. Each
 * goes up with what it counts and back down when that is over, so a leak shows as a gauge that
 * never returns to zero.
 */
class MetersTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountingPrimer slow = new CountingPrimer("meters-slow").body((key, count) -> {
    release.await();
    return "done " + key.get(CountingPrimer.ID);
  });
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private ActorTestKit testKit;
  private Kck kck;

  @BeforeEach
  void start() {
    testKit = TestNodes.start("MetersTest", TestNodes.config(TestNodes.ownDatabase("meters")));
    kck = Kck.builder(testKit.system()).primers(slow).meterRegistry(registry).start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    testKit.shutdownTestKit();
  }

  @Test
  void waitersSubscribersAndWarmKeysAreCountedWhileTheyLast() {
    CompletionStage<Object> first = kck.get("meters-slow/a");
    // Another key: concurrent gets of one key on one node share one request, and so one waiter.
    CompletionStage<Object> second = kck.get("meters-slow/d");
    Eventually.passes("both callers to wait for their computes", () -> assertEquals(2.0, gauge("kck.waiters")));

    Subscription subscription = kck.subscribe("meters-slow/b", entry -> { });
    Eventually.passes("the listener to be counted", () -> assertEquals(1.0, gauge("kck.subscribers")));
    Stages.await(kck.keepWarm("meters-slow/c"));
    Eventually.passes("the warm key to be counted", () -> assertEquals(1.0, registry.get("kck.keys.warm").gauge().value()));

    release.countDown();
    assertEquals("done a", Stages.await(first));
    assertEquals("done d", Stages.await(second));
    Eventually.passes("the waiters to be gone", () -> assertEquals(0.0, gauge("kck.waiters")));
    subscription.close();
    Eventually.passes("the listener to be gone", () -> assertEquals(0.0, gauge("kck.subscribers")));
    Stages.await(kck.stopKeepingWarm("meters-slow/c"));
    Eventually.passes("the warm key to be gone", () -> assertEquals(0.0, registry.get("kck.keys.warm").gauge().value()));
  }

  private double gauge(String name) {
    return registry.get(name).tag("primer", "meters-slow").gauge().value();
  }
}
