package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.testing.CountingPrimer;
import io.kck.testing.LiveKeys;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idle keys stop and free their memory; their state comes back from PostgreSQL. Sharding measures
 * idleness on the real clock, so this test uses a short idle timeout and waits for the key to
 * disappear from the shard's list, not for a fixed time.
 */
class PassivationTest {
  // Every compute makes a new value (an equal one would keep its version: early cutoff).
  static final CountingPrimer primer =
      new CountingPrimer("passivation").body((key, count) -> "value of " + key.get(CountingPrimer.ID) + " #" + count);
  static final CountingPrimer periodic = new CountingPrimer("passivation-periodic") {
    {
      body((key, count) -> "tick " + count);
    }

    @Override
    public io.kck.primer.Freshness freshness() {
      return io.kck.primer.Freshness.periodic(Duration.ofMillis(1500));
    }

    @Override
    public boolean keepsKeysWarm() {
      return true; // its keys refresh across passivation and restarts, with nobody asking
    }
  };
  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    // Warm keys are woken less often than the idle timeout: between wakes they passivate.
    testKit = TestNodes.start("PassivationTest", TestNodes.config(
        """
        kck.sharding.passivation.default-idle-strategy.idle-entity.timeout = 1s
        kck.freshness.wake-interval = 2s
        """));
    kck = Kck.start(testKit.system(), primer, periodic);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anIdleKeyPassivatesAndReloadsItsStateOnTheNextGet() {
    Stages.await(kck.getEntry("passivation/a"));
    Stages.await(kck.refresh("passivation/a"));
    Entry<Object> current = Stages.await(kck.getEntry("passivation/a"));
    assertEquals(2, current.version());
    int computes = primer.computes();

    awaitPassivated("passivation/a");

    Entry<Object> reloaded = Stages.await(kck.getEntry("passivation/a"));
    assertEquals(current, reloaded);
    assertEquals(computes, primer.computes(), "reloading from PostgreSQL does not compute");
  }

  @Test
  void aKeyWithACallerWaitingIsNotStoppedUntilItHasAnswered() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    primer.body((key, count) -> {
      if (key.get(CountingPrimer.ID).equals("slow")) {
        started.countDown();
        release.await();
      }
      return "value of " + key.get(CountingPrimer.ID) + " #" + count;
    });
    CompletableFuture<Object> get = kck.get("passivation/slow").toCompletableFuture();
    started.await();
    // A key that went idle at the same time passivates: passivation has run over the slow key too.
    Stages.await(kck.get("passivation/idle-neighbour"));
    awaitPassivated("passivation/idle-neighbour");

    assertFalse(get.isDone());
    release.countDown();
    Object answered = Stages.await(get);
    assertTrue(answered.toString().startsWith("value of slow #"), answered.toString());
    // Asked to stop while busy, it stops once it has answered; the next get reloads it.
    awaitPassivated("passivation/slow");
    assertEquals(answered, Stages.await(kck.get("passivation/slow")));
  }

  @Test
  void aPeriodicKeyKeepsRefreshingAcrossPassivation() {
    // Wakes come less often than the idle timeout: the key passivates between them, its timer
    // dies with it, and each wake brings it back with its timer re-armed from computed-at.
    Stages.await(kck.get("passivation-periodic/a"));
    Eventually.atLeast("refreshes of passivation-periodic/a", Duration.ofSeconds(30), periodic::computes, 4);
  }

  private static void awaitPassivated(String key) {
    Eventually.until(key + " to passivate", () -> LiveKeys.of(testKit), live -> !live.contains(key));
  }
}
