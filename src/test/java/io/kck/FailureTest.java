package io.kck;

import io.kck.errors.ComputeFailedException;
import io.kck.errors.ComputeTimeoutException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestClock;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failed and timed-out computes, on Akka's manual clock: the backoff between attempts and the
 * compute timeout pass only when the test says so.
 */
class FailureTest {
  static final CountingPrimer flaky = new CountingPrimer("failure-flaky");
  static final CountingPrimer warm = new CountingPrimer("failure-warm-up");

  /** Blocks until interrupted; its own timeout is 5 s. */
  static final class Hanging extends Primer<String> {
    final CountDownLatch interrupted = new CountDownLatch(1);
    final CountDownLatch started = new CountDownLatch(1);

    Hanging(String name) {
      super(name, String.class, Parameter.ofString("id"));
    }

    @Override
    public String compute(Key<String> key, ComputeContext<String> context) {
      started.countDown();
      try {
        new CountDownLatch(1).await();
        return "never";
      } catch (InterruptedException e) {
        interrupted.countDown();
        return "interrupted";
      }
    }

    @Override
    public Optional<Duration> computeTimeout() {
      return Optional.of(Duration.ofSeconds(5));
    }
  }

  static final Hanging hanging = new Hanging("failure-hanging");
  static final Hanging overridden = new Hanging("failure-overridden");
  static ActorTestKit testKit;
  static TestClock clock;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit =
        TestNodes.start(
            "FailureTest",
            TestNodes.manualTimeConfig(
                """
                kck.compute.backoff-min = 1s
                kck.compute.backoff-max = 3s
                kck.compute.backoff-factor = 2.0
                kck.primers."failure-overridden".compute-timeout = 20s
                """));
    clock = TestClock.of(testKit);
    kck = Kck.builder(testKit.system()).clock(clock).primers(flaky, warm, hanging, overridden).start();
    // The cluster and sharding start on timers too: let time pass until a key answers.
    CompletableFuture<Object> first = kck.get("failure-warm-up/1").toCompletableFuture();
    Eventually.until("the first get after start-up to answer", Duration.ofSeconds(60), () -> {
      clock.timePasses(Duration.ofMillis(500));
      return first.isDone();
    }, done -> done);
    assertEquals("value of 1", Stages.await(first));
  }

  @AfterAll
  static void stop() {
    TestNodes.shutdown(testKit, clock);
  }

  @Test
  void failedComputesBackOffExponentiallyAndAGetAfterTheBackoffTriesAgain() {
    IllegalStateException down = new IllegalStateException("register 9 is offline");
    flaky.body((key, count) -> {
      if (count <= 2) {
        throw down;
      }
      return "sales #" + count;
    });
    String key = "failure-flaky/9";

    ComputeFailedException first = Stages.failure(kck.get(key), ComputeFailedException.class);
    assertSame(down, first.getCause());
    assertEquals(1, flaky.computes());
    // The deadline is read from the clock KCK was given, which moves only with the test's time.
    assertEquals(clock.instant().plusSeconds(1), io.kck.testing.KeyStatuses.of(kck, key).retryAt());

    // During the 1 s backoff a get fails at once with the last failure, without computing.
    ComputeFailedException during = Stages.failure(kck.get(key), ComputeFailedException.class);
    assertTrue(during.getMessage().contains("backing off"), during.getMessage());
    assertSame(down, during.getCause());
    assertEquals(1, flaky.computes());

    clock.timePasses(Duration.ofSeconds(1));
    awaitBackoffOver(key);
    Stages.failure(kck.get(key), ComputeFailedException.class);
    assertEquals(2, flaky.computes());

    // Second failure in a row: 2 s. After 1 s it still backs off.
    clock.timePasses(Duration.ofSeconds(1));
    Stages.failure(kck.get(key), ComputeFailedException.class);
    assertEquals(2, flaky.computes());
    clock.timePasses(Duration.ofSeconds(1));
    awaitBackoffOver(key);

    assertEquals("sales #3", Stages.await(kck.get(key)));
    assertEquals(3, flaky.computes());
  }

  @Test
  void aComputePastItsTimeoutIsInterruptedAndFailsItsWaiters() throws Exception {
    CompletableFuture<Object> a = kck.get("failure-hanging/x").toCompletableFuture();
    CompletableFuture<Object> b = kck.get("failure-hanging/x").toCompletableFuture();
    assertTrue(hanging.started.await(10, TimeUnit.SECONDS));
    clock.timePasses(Duration.ofMillis(4900));
    assertFalse(a.isDone() || b.isDone());
    clock.timePasses(Duration.ofMillis(100));

    ComputeTimeoutException timeout = Stages.failure(a, ComputeTimeoutException.class);
    assertEquals("failure-hanging/x", timeout.key());
    assertTrue(timeout.getMessage().contains("failure-hanging/x") && timeout.getMessage().contains("PT5S"),
        timeout.getMessage());
    Stages.failure(b, ComputeTimeoutException.class);
    assertTrue(hanging.interrupted.await(10, TimeUnit.SECONDS), "the compute thread was interrupted");
  }

  @Test
  void hoconOverridesThePrimersComputeTimeout() throws Exception {
    CompletableFuture<Object> get = kck.get("failure-overridden/x").toCompletableFuture();
    assertTrue(overridden.started.await(10, TimeUnit.SECONDS));
    clock.timePasses(Duration.ofSeconds(19));
    assertFalse(get.isDone(), "still inside the 20 s of kck.primers.failure-overridden.compute-timeout");
    clock.timePasses(Duration.ofSeconds(1));
    assertTrue(Stages.failure(get, ComputeTimeoutException.class).getMessage().contains("PT20S"));
  }

  /** The backoff timer fired and the key handled it. */
  private static void awaitBackoffOver(String key) {
    Eventually.status(kck, key, "to end its backoff", status -> status.retryAt() == null);
  }
}
