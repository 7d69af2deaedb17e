package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.testing.CountingBatchPrimer;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestClock;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Computes that fall due together on their timers (keys kept warm, periodic refreshes) go through
 * the batch compute too. On Akka's manual clock, so that the refreshes of all keys fall due at the
 * same moment; the linger of a batch is real time, and long, so that the batches are made by size.
 */
class BatchRefreshTest {
  static final CountingBatchPrimer periodic =
      new CountingBatchPrimer("batch-periodic", Freshness.periodic(Duration.ofMinutes(5)), new ConcurrentHashMap<>());
  static final CountingBatchPrimer warm =
      new CountingBatchPrimer("batch-warm", Freshness.periodic(Duration.ofMinutes(10)), new ConcurrentHashMap<>());
  static final CountingPrimer plain = new CountingPrimer("batch-refresh-plain");
  static ActorTestKit testKit;
  static TestClock clock;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("BatchRefreshTest", TestNodes.manualTimeConfig(TestNodes.ownDatabase("batch_refresh")
        + """
        kck.batch.linger = 2s
        kck.primers."batch-periodic".batch-size = 8
        kck.primers."batch-warm".batch-size = 6
        """));
    clock = TestClock.of(testKit);
    kck = Kck.builder(testKit.system()).clock(clock).primers(periodic, warm, plain).start();
    TestNodes.warmUp(testKit, clock, kck, "batch-refresh-plain/warm-up");
  }

  @AfterAll
  static void stop() {
    TestNodes.shutdown(testKit, clock);
  }

  /**
   * Moves the clock to just past {@code interval}, the last step short: the refreshes start in it,
   * and the compute timeouts they arm (minutes) cannot fall due within the same step.
   */
  private static void dueIn(Duration interval) {
    clock.timePasses(interval.minusSeconds(1));
    clock.timePasses(Duration.ofSeconds(2));
  }

  @Test
  void periodicRefreshesThatFallDueTogetherShareBatches() {
    List<Key<String>> keys = IntStream.range(0, 16).mapToObj(i -> periodic.key("p" + i)).toList();
    assertTrue(Stages.await(kck.getAll(keys)).stream().allMatch(KeyResult::ok));
    assertEquals(2, periodic.calls(), "16 keys in batches of 8: " + periodic.batches());

    dueIn(Duration.ofMinutes(5));
    for (int i = 0; i < 16; i++) {
      String id = "p" + i;
      Eventually.count("computes of " + id, () -> periodic.computes(id), 2);
    }
    assertEquals(4, periodic.calls(), "the refreshes fill two batches: " + periodic.batches());
  }

  @Test
  void keysKeptWarmComputeAndRefreshInBatches() {
    for (int i = 0; i < 6; i++) {
      Stages.await(kck.keepWarm(warm.key("w" + i))); // each computes now, as it joins the warm set
    }
    for (int i = 0; i < 6; i++) {
      String id = "w" + i;
      Eventually.count("computes of " + id, () -> warm.computes(id), 1);
    }
    assertEquals(1, warm.calls(), "six keys joining the warm set share one batch: " + warm.batches());

    dueIn(Duration.ofMinutes(10));
    for (int i = 0; i < 6; i++) {
      String id = "w" + i;
      Eventually.count("refreshes of " + id, () -> warm.computes(id), 2);
    }
    assertEquals(2, warm.calls(), "their refreshes fall due together: " + warm.batches());
  }
}
