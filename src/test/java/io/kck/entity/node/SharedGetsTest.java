package io.kck.entity.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.entity.EntryData;
import io.kck.errors.ComputeFailedException;
import io.kck.errors.KckTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Gets of one key on one node share one request; each caller keeps its own answer, failure and timeout. */
class SharedGetsTest {
  private final List<CompletableFuture<EntryData>> asks = new ArrayList<>();
  private final AtomicInteger asked = new AtomicInteger();
  private final Supplier<CompletionStage<EntryData>> ask = () -> {
    asked.incrementAndGet();
    CompletableFuture<EntryData> request = new CompletableFuture<>();
    asks.add(request);
    return request;
  };

  private static EntryData entry(String key, long version) {
    return new EntryData(key, null, version, null, false, false, null, null, null);
  }

  @Test
  void tenThousandGetsOfOneKeyAskOnceAndAllHaveTheAnswer() throws Exception {
    SharedGets shared = new SharedGets(Duration.ofMinutes(1));
    List<CompletableFuture<EntryData>> answers = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      answers.add(shared.get("p/k", ask).toCompletableFuture());
    }
    assertEquals(1, asked.get(), "requests for 10,000 concurrent gets");
    assertEquals(1, shared.inFlight());
    assertTrue(answers.stream().noneMatch(CompletableFuture::isDone));
    EntryData value = entry("p/k", 1);
    asks.get(0).complete(value);
    for (CompletableFuture<EntryData> answer : answers) {
      assertSame(value, answer.getNow(null));
    }
    assertEquals(0, shared.inFlight(), "an answered flight leaves the map");
  }

  @Test
  void aGetAfterTheAnswerAsksAgainAndOtherKeysFlyApart() {
    SharedGets shared = new SharedGets(Duration.ofMinutes(1));
    CompletableFuture<EntryData> first = shared.get("p/a", ask).toCompletableFuture();
    CompletableFuture<EntryData> other = shared.get("p/b", ask).toCompletableFuture();
    assertEquals(2, asked.get(), "one request per key");
    asks.get(0).complete(entry("p/a", 1));
    assertEquals(1, first.join().version());
    CompletableFuture<EntryData> later = shared.get("p/a", ask).toCompletableFuture();
    assertEquals(3, asked.get(), "a get after the answer asks again");
    asks.get(2).complete(entry("p/a", 2));
    assertEquals(2, later.join().version());
    assertFalse(other.isDone());
    asks.get(1).complete(entry("p/b", 7));
    assertEquals(7, other.join().version());
    assertEquals(0, shared.inFlight());
  }

  @Test
  void aFailureReachesEveryCallerAndLeavesNothingBehind() {
    SharedGets shared = new SharedGets(Duration.ofMinutes(1));
    List<CompletableFuture<EntryData>> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      answers.add(shared.get("p/k", ask).toCompletableFuture());
    }
    ComputeFailedException boom = new ComputeFailedException("p/k", "compute of 'p/k' failed", null);
    asks.get(0).completeExceptionally(boom);
    for (CompletableFuture<EntryData> answer : answers) {
      ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, answer::get);
      assertSame(boom, failed.getCause());
    }
    assertEquals(0, shared.inFlight(), "a failed flight leaves the map");
  }

  @Test
  void anAskThatThrowsFailsItsCallerAndLeavesNothingBehind() {
    SharedGets shared = new SharedGets(Duration.ofMinutes(1));
    IllegalStateException refused = new IllegalStateException("refused");
    CompletableFuture<EntryData> answer = shared.get("p/k", () -> {
      throw refused;
    }).toCompletableFuture();
    assertTrue(answer.isCompletedExceptionally());
    assertEquals(0, shared.inFlight());
  }

  @Test
  void aCallerCancellingItsStageTouchesNoOtherCaller() {
    SharedGets shared = new SharedGets(Duration.ofMinutes(1));
    CompletableFuture<EntryData> impatient = shared.get("p/k", ask).toCompletableFuture();
    CompletableFuture<EntryData> patient = shared.get("p/k", ask).toCompletableFuture();
    impatient.cancel(false);
    asks.get(0).complete(entry("p/k", 3));
    assertEquals(3, patient.join().version());
  }

  @Test
  void aWriteDetachesTheFlightSoThatLaterGetsAskAfterIt() {
    SharedGets shared = new SharedGets(Duration.ofMinutes(1));
    CompletableFuture<EntryData> before = shared.get("p/k", ask).toCompletableFuture();
    shared.detach("p/k");
    CompletableFuture<EntryData> after = shared.get("p/k", ask).toCompletableFuture();
    assertEquals(2, asked.get(), "a get after a write does not share the request sent before it");
    asks.get(0).complete(entry("p/k", 1));
    asks.get(1).complete(entry("p/k", 2));
    assertEquals(1, before.join().version());
    assertEquals(2, after.join().version());
    assertEquals(0, shared.inFlight(), "the detached flight's answer does not remove the newer one, nor stay");
  }

  @Test
  void aGetThatJoinedLateOutlivesTheFlightsTimeoutAndAsksAgain() throws Exception {
    SharedGets shared = new SharedGets(Duration.ofMinutes(1));
    CompletableFuture<EntryData> first = shared.get("p/k", ask).toCompletableFuture();
    CompletableFuture<EntryData> late = shared.get("p/k", ask).toCompletableFuture();
    KckTimeoutException timedOut = new KckTimeoutException("p/k", "No answer from key 'p/k' within 1m", null);
    asks.get(0).completeExceptionally(timedOut); // the first get's own minute is over (here: said to be)
    assertSame(timedOut, org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, first::get).getCause());
    assertFalse(late.isDone(), "the late get still has time of its own");
    assertEquals(2, asked.get(), "and asks again");
    asks.get(1).complete(entry("p/k", 1));
    assertEquals(1, late.get(1, TimeUnit.SECONDS).version());
    assertEquals(0, shared.inFlight());
  }

  @Test
  void aGetThatJoinedLateStillFailsWithinItsOwnTimeout() throws Exception {
    SharedGets shared = new SharedGets(Duration.ofMillis(300));
    CompletableFuture<EntryData> first = shared.get("p/k", ask).toCompletableFuture();
    CompletableFuture<EntryData> late = shared.get("p/k", ask).toCompletableFuture();
    asks.get(0).completeExceptionally(new KckTimeoutException("p/k", "No answer", null));
    assertTrue(first.isCompletedExceptionally());
    // Nothing answers the second request: the late get fails by its own deadline, not the request's.
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> late.get(10, TimeUnit.SECONDS));
    KckTimeoutException timeout = assertInstanceOf(KckTimeoutException.class, failed.getCause());
    assertEquals("p/k", timeout.key());
    assertFalse(asks.get(1).isDone(), "the second request still waits for its own answer or timeout");
  }
}
