package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.Problem;
import io.kck.errors.KckException;
import io.kck.persistence.StoredValue;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Single flight without an actor: the computes it hands to the pool (which never runs them here),
 * who waits for which, and what each waiter hears when the test ends a compute by hand.
 */
@Tag("unit")
class SingleFlightUnitTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final Primer<String> PRIMER = Primer.builder("sf-unit", String.class).parameters(ID)
      .compute((key, context) -> "never runs here").build();

  private final LocalRuntime local = LocalRuntime.held("kck.entity.backoff-min = 1s\nkck.entity.backoff-max = 10s", PRIMER);
  private final Key<String> key = PRIMER.key("a");
  private final KeyParts parts = new KeyParts(local, key);

  @AfterEach
  void close() {
    local.close();
  }

  private KeyState withValue(String value, long version) {
    return new KeyState(StoredValue.of(value, local.runtime.codec(PRIMER)), version, local.clock.instant(), Map.of(),
        Map.of(), Set.of(), Map.of(), null, false);
  }

  private static List<TestInbox<KeyReply>> callers(int count) {
    return IntStream.range(0, count).mapToObj(i -> TestInbox.<KeyReply>create("caller-" + i)).toList();
  }

  @Test
  void manyGetsOfAKeyWithoutAValueShareOneComputeAndAllGetItsValue() {
    List<TestInbox<KeyReply>> callers = callers(5);
    callers.forEach(caller -> parts.flight.get(KeyState.EMPTY, new KeyCommand.Get(caller.getRef())));

    assertEquals(1, local.computesStarted(), "one compute for five gets");
    assertEquals(1, local.computesSubmitted());
    assertEquals(5, parts.attempts.waiting());
    callers.forEach(caller -> assertFalse(caller.hasMessages(), "nobody is answered before the compute ends"));
    assertTrue(parts.timers.armed.containsKey("compute-timeout"));

    assertNotNull(parts.flight.finish(1));
    KeyReply.Ok done = parts.replies.entry(withValue("v1", 1), false);
    parts.flight.succeeded(1, done);

    for (TestInbox<KeyReply> caller : callers) {
      assertEquals(List.of(done), caller.getAllReceived(), "each caller once, the one value");
    }
    assertFalse(parts.timers.armed.containsKey("compute-timeout"));
    assertTrue(parts.flight.idle());
  }

  @Test
  void aFailedComputeFailsEveryWaiterWithTheSameProblemAndTheKeyBacksOff() {
    List<TestInbox<KeyReply>> callers = callers(3);
    callers.forEach(caller -> parts.flight.get(KeyState.EMPTY, new KeyCommand.Get(caller.getRef())));
    Problem boom = Problem.of(KckException.Kind.COMPUTE_FAILED, "Compute of key 'sf-unit/a' failed: boom", null);

    parts.flight.finish(1);
    parts.flight.failed(KeyState.EMPTY, 1, boom);

    for (TestInbox<KeyReply> caller : callers) {
      List<KeyReply> heard = caller.getAllReceived();
      assertEquals(1, heard.size());
      assertEquals(boom, assertInstanceOf(KeyReply.Failed.class, heard.get(0)).problem());
    }
    assertEquals(Duration.ofSeconds(1), parts.timers.armed.get("backoff").delay());

    TestInbox<KeyReply> during = TestInbox.create("during-backoff");
    parts.flight.get(KeyState.EMPTY, new KeyCommand.Get(during.getRef()));
    Problem refused = assertInstanceOf(KeyReply.Failed.class, during.receiveMessage()).problem();
    assertEquals(KckException.Kind.COMPUTE_FAILED, refused.kind());
    assertTrue(refused.message().contains("backing off"), refused.message());
    assertEquals(1, local.computesStarted(), "a get during the backoff is refused at once, without a compute");

    local.clock.advance(Duration.ofSeconds(1));
    TestInbox<KeyReply> after = TestInbox.create("after-backoff");
    parts.flight.get(KeyState.EMPTY, new KeyCommand.Get(after.getRef()));
    assertFalse(after.hasMessages());
    assertEquals(2, local.computesStarted(), "once the backoff is over a get computes again");
  }

  @Test
  void aFreshValueAnswersAtOnceWithoutACompute() {
    KeyState state = withValue("v3", 3);
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    parts.flight.get(state, new KeyCommand.Get(caller.getRef()));

    KeyReply.Ok ok = assertInstanceOf(KeyReply.Ok.class, caller.receiveMessage());
    assertEquals(3, ok.entry().version());
    assertFalse(ok.entry().stale());
    assertEquals(0, local.computesStarted());
  }

  @Test
  void aValueWhoseRefreshFailedIsServedStaleNotAsAFreshHit() {
    KeyState state = withValue("v3", 3);
    parts.flight.refresh(state, TestInbox.<KeyReply>create("refresher").getRef());
    parts.flight.finish(1);
    parts.flight.failed(state, 1, Problem.of(KckException.Kind.COMPUTE_FAILED, "boom", null));
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    parts.flight.get(state, new KeyCommand.Get(caller.getRef()));

    KeyReply.Ok ok = assertInstanceOf(KeyReply.Ok.class, caller.receiveMessage());
    assertTrue(ok.entry().stale(), "within stale-if-error, and marked stale: its refresh failed");
    assertEquals("boom", ok.entry().lastError());
    assertFalse(parts.replies.answersAtOnce(state));
  }

  @Test
  void aRefreshDuringAComputeWaitsForOneThatStartsAfterIt() {
    KeyState state = withValue("v1", 1);
    TestInbox<KeyReply> first = TestInbox.create("first");
    TestInbox<KeyReply> second = TestInbox.create("second");
    parts.flight.refresh(state, first.getRef());
    parts.flight.refresh(state, second.getRef()); // arrives while attempt 1 runs

    parts.flight.finish(1);
    parts.flight.succeeded(1, parts.replies.entry(withValue("v2", 2), false));
    assertEquals(2, assertInstanceOf(KeyReply.Ok.class, first.receiveMessage()).entry().version());
    assertFalse(second.hasMessages(), "attempt 1 started before the second refresh arrived");

    parts.flight.startIfAwaited(withValue("v2", 2), null);
    assertEquals(2, local.computesStarted());
    parts.flight.finish(2);
    parts.flight.succeeded(2, parts.replies.entry(withValue("v3", 3), false));
    assertEquals(3, assertInstanceOf(KeyReply.Ok.class, second.receiveMessage()).entry().version());
  }

  @Test
  void aResetAnswersEveryWaiterAndEveryWriterWithAFailureThatChangedNothing() {
    TestInbox<KeyReply> waiter = TestInbox.create("waiter");
    TestInbox<KeyReply> writer = TestInbox.create("writer");
    parts.flight.get(KeyState.EMPTY, new KeyCommand.Get(waiter.getRef()));
    parts.flight.writing(writer.getRef());
    assertFalse(parts.flight.idle());

    parts.flight.reset();

    for (TestInbox<KeyReply> caller : List.of(waiter, writer)) {
      KeyReply.Failed failed = assertInstanceOf(KeyReply.Failed.class, caller.receiveMessage());
      assertEquals(KckException.Kind.UNAVAILABLE, failed.problem().kind());
      assertFalse(caller.hasMessages());
    }
    assertTrue(parts.flight.idle());
  }

  @Test
  void aWriterWhoseWriteWasJournaledIsNotAnsweredByALaterReset() {
    TestInbox<KeyReply> writer = TestInbox.create("writer");
    parts.flight.writing(writer.getRef());
    parts.flight.written(writer.getRef());

    parts.flight.reset();

    assertFalse(writer.hasMessages());
  }

  @Test
  void aGetThatMustNotComputeFailsAtOnceAsNotCached() {
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    parts.flight.get(KeyState.EMPTY, new KeyCommand.Get(caller.getRef(), false));

    assertEquals(KckException.Kind.NOT_CACHED,
        assertInstanceOf(KeyReply.Failed.class, caller.receiveMessage()).problem().kind());
    assertEquals(0, local.computesStarted());
    assertSame(null, parts.attempts.running());
  }
}
