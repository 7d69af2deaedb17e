package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.entity.Problem;
import io.kck.entity.settings.EntitySettings;
import io.kck.errors.KckException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The wait after failed computes: doubling within bounds, measured on the node's clock. */
@Tag("unit")
class BackoffTest {
  private static final Instant START = Instant.parse("2024-03-01T12:00:00Z");

  private final HandClock clock = new HandClock(START);
  private final Backoff backoff = new Backoff(settings(Duration.ofSeconds(1), Duration.ofSeconds(10), 2.0), clock);
  private final Problem boom = Problem.of(KckException.Kind.COMPUTE_FAILED, "Compute of key 'k' failed: boom", null);

  static EntitySettings settings(Duration backoffMin, Duration backoffMax, double backoffFactor) {
    return new EntitySettings(Duration.ofMinutes(2), backoffMin, backoffMax, backoffFactor, 10, 1 << 22, 2, 100,
        Duration.ofDays(1), Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(10),
        Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMinutes(1), 16384, 1000, 1 << 20, true, 16 << 20, Map.of());
  }

  @Test
  void theWaitGrowsByTheFactorPerFailureInARowUpToTheMaximum() {
    List<Duration> waits = IntStream.range(0, 6).mapToObj(i -> backoff.failed(boom)).toList();

    assertEquals(List.of(1L, 2L, 4L, 8L, 10L, 10L), waits.stream().map(Duration::toSeconds).toList());
    assertEquals(6, backoff.failuresInARow());
  }

  @Test
  void aFactorOfOneKeepsTheWaitAtTheMinimum() {
    Backoff flat = new Backoff(settings(Duration.ofSeconds(3), Duration.ofSeconds(10), 1.0), clock);
    flat.failed(boom);

    assertEquals(Duration.ofSeconds(3), flat.failed(boom));
  }

  @Test
  void itIsActiveUntilTheClockReachesRetryAt() {
    backoff.failed(boom);
    backoff.failed(boom);

    assertEquals(START.plusSeconds(2), backoff.retryAt());
    assertTrue(backoff.active());
    clock.advance(Duration.ofMillis(1999));
    assertTrue(backoff.active());
    clock.advance(Duration.ofMillis(1));
    assertFalse(backoff.active(), "at retryAt the next get computes again");
  }

  @Test
  void itIsOverWhenItsTimerFiresEvenIfTheClockLags() {
    backoff.failed(boom);

    backoff.over();

    assertFalse(backoff.active());
    assertNull(backoff.retryAt());
    assertSame(boom, backoff.lastFailure(), "the failure still stands until a success");
    assertEquals(2, backoff.failed(boom).toSeconds(), "and the next failure is the second in a row");
  }

  @Test
  void clearForgetsEveryFailure() {
    backoff.failed(boom);
    backoff.failed(boom);

    backoff.clear();

    assertFalse(backoff.active());
    assertNull(backoff.lastFailure());
    assertNull(backoff.retryAt());
    assertEquals(0, backoff.failuresInARow());
    assertEquals(Duration.ofSeconds(1), backoff.failed(boom), "counting starts over");
  }

  @Test
  void theRefusalNamesTheKeyTheCountAndTheLastFailure() {
    backoff.failed(boom);
    backoff.failed(boom);

    Problem refusal = backoff.refusal("sales/7");

    assertEquals(KckException.Kind.COMPUTE_FAILED, refusal.kind());
    assertTrue(refusal.message().contains("'sales/7'"), refusal.message());
    assertTrue(refusal.message().contains("after 2 failed compute(s) in a row"), refusal.message());
    assertTrue(refusal.message().contains(START.plusSeconds(2).toString()), refusal.message());
    assertTrue(refusal.message().endsWith("Last failure: " + boom.message()), refusal.message());
  }
}
