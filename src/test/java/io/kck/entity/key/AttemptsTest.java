package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import akka.actor.typed.ActorRef;
import io.kck.entity.KeyReply;
import io.kck.entity.TxnSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Single flight: which attempt each caller waits for, and who an ended attempt answers. */
@Tag("unit")
class AttemptsTest {
  private final Attempts attempts = new Attempts();
  private final ActorRef<KeyReply> alice = TestInbox.<KeyReply>create("alice").getRef();
  private final ActorRef<KeyReply> bob = TestInbox.<KeyReply>create("bob").getRef();
  private final ActorRef<KeyReply> carol = TestInbox.<KeyReply>create("carol").getRef();

  @Test
  void attemptsAreNumberedFromOne() {
    assertEquals(1, attempts.next());
    assertEquals(1, attempts.start(Map.of(), null).number);
    assertEquals(2, attempts.next());
  }

  @Test
  void aCallerWhoseRequestArrivesTwiceWaitsOnceAndIsAnsweredOnce() {
    Attempts.Attempt first = attempts.start(Map.of(), null);
    attempts.await(alice, first.number, true);
    attempts.await(bob, first.number, true);
    attempts.await(alice, first.number + 1, true); // the same get, sent again

    assertEquals(2, attempts.waiting());
    assertEquals(List.of(alice, bob), attempts.satisfiedBy(first.number).stream().map(Attempts.Waiter::replyTo).toList());
    assertFalse(attempts.anyWaiting());
  }

  /** Transactions below 200 had ended, 202 was running, 205 and later had not begun. */
  private static final TxnSnapshot SNAPSHOT = new TxnSnapshot(200, 205, List.of(202L));

  @Test
  void theRunningAttemptReadsAChangeOnlyOnceItsSnapshotIsKnownAndShowsTheCommit() {
    Attempts.Attempt running = attempts.start(Map.of(), null);
    assertFalse(attempts.runningReads(150), "its snapshot is not known yet: it may have read the row before");

    attempts.began(running.number, SNAPSHOT);

    assertTrue(attempts.runningReads(150), "committed before its snapshot");
    assertTrue(attempts.runningReads(203), "ended between xmin and xmax");
    assertFalse(attempts.runningReads(202), "still running at its snapshot");
    assertFalse(attempts.runningReads(205), "began after its snapshot");
    assertFalse(attempts.runningReads(0), "an unknown transaction");
  }

  @Test
  void aSnapshotOfAnAttemptThatIsOverOrSupersededChangesNothing() {
    Attempts.Attempt first = attempts.start(Map.of(), null);
    attempts.finish(first.number);
    Attempts.Attempt second = attempts.start(Map.of(), null);

    attempts.began(first.number, SNAPSHOT); // late: the first attempt is over
    assertNull(second.before);
    assertFalse(attempts.runningReads(150));

    attempts.invalidated();
    attempts.began(second.number, SNAPSHOT); // its result is moot already
    assertNull(second.before);
    assertFalse(attempts.runningReads(150));
  }

  @Test
  void aSupersededAttemptNoLongerReadsAChangeItsSnapshotShowed() {
    Attempts.Attempt running = attempts.start(Map.of(), null);
    attempts.began(running.number, SNAPSHOT);

    attempts.supersede(); // a put: its result is moot

    assertFalse(attempts.runningReads(150));
  }

  @Test
  void withNothingRunningAGetWaitsForTheNextAttempt() {
    assertEquals(1, attempts.joinable(Map.of(), Map.of()));
  }

  @Test
  void aGetJoinsTheRunningAttempt() {
    Attempts.Attempt running = attempts.start(Map.of(), null);

    assertEquals(running.number, attempts.joinable(Map.of(), Map.of("A", 1L)));
  }

  @Test
  void aGetDoesNotJoinASupersededAttempt() {
    Attempts.Attempt running = attempts.start(Map.of(), null);
    attempts.supersede();

    assertTrue(running.superseded);
    assertEquals(running.number + 1, attempts.joinable(Map.of(), Map.of()));
  }

  @Test
  void aGetJoinsTheRunningAttemptOnlyIfItWasPromisedTheVersionsTheGetNeeds() {
    Map<String, Long> lineage = Map.of("A", 1L);
    Attempts.Attempt promisedA2 = attempts.start(Map.of("A", 2L), null);

    assertEquals(promisedA2.number, attempts.joinable(Map.of("A", 2L), lineage));
    assertEquals(promisedA2.number + 1, attempts.joinable(Map.of("A", 3L), lineage));
  }

  @Test
  void aRefreshWaitsForAnAttemptThatStartsAfterIt() {
    Attempts.Attempt running = attempts.start(Map.of(), null);
    attempts.await(alice, attempts.next(), false);

    attempts.finish(running.number);

    assertEquals(List.of(), attempts.satisfiedBy(running.number));
    assertTrue(attempts.isWaiting(alice));
    assertEquals(1, attempts.satisfiedBy(running.number + 1).size());
  }

  @Test
  void satisfiedByReturnsAndRemovesExactlyTheWaitersItSatisfies() {
    attempts.await(alice, 1, true);
    attempts.await(bob, 2, false);
    attempts.await(carol, 3, true);

    List<Attempts.Waiter> answered = attempts.satisfiedBy(2);

    assertEquals(List.of(new Attempts.Waiter(alice, 1, true), new Attempts.Waiter(bob, 2, false)), answered);
    assertEquals(1, attempts.waiting());
    assertTrue(attempts.isWaiting(carol));
    assertFalse(attempts.isWaiting(alice));
  }

  @Test
  void deferAllToNextMovesEveryWaiterToAnAttemptThatStartsAfterNow() {
    Attempts.Attempt running = attempts.start(Map.of(), null);
    attempts.await(alice, running.number, true);
    attempts.await(bob, running.number + 5, false);

    attempts.deferAllToNext();

    assertEquals(List.of(), attempts.satisfiedBy(running.number));
    assertEquals(List.of(new Attempts.Waiter(alice, running.number + 1, true)), attempts.satisfiedBy(running.number + 1));
    assertTrue(attempts.isWaiting(bob), "a waiter for a later attempt keeps waiting for it");
  }

  @Test
  void finishEndsTheRunningAttempt() {
    Attempts.Attempt running = attempts.start(Map.of(), null);

    assertSame(running, attempts.finish(running.number));
    assertNull(attempts.running());
  }

  @Test
  void aLateAnswerFindsNoAttemptToFinish() {
    Attempts.Attempt first = attempts.start(Map.of(), null);
    attempts.finish(first.number);
    Attempts.Attempt second = attempts.start(Map.of(), null);

    assertNull(attempts.finish(first.number));
    assertSame(second, attempts.running(), "the late answer leaves the running attempt alone");
  }

  @Test
  void aSecondAttemptCannotStartWhileOneRuns() {
    attempts.start(Map.of(), null);

    assertThrows(IllegalStateException.class, () -> attempts.start(Map.of(), null));
  }

  @Test
  void drainReturnsAndRemovesEveryWaiterButLeavesTheRunningAttempt() {
    Attempts.Attempt running = attempts.start(Map.of(), null);
    attempts.await(alice, 1, true);
    attempts.await(bob, 9, false);

    assertEquals(2, attempts.drain().size());
    assertFalse(attempts.anyWaiting());
    assertSame(running, attempts.running());
  }

  @Test
  void resetAbandonsTheRunningAttemptAndTheWaitersButKeepsCounting() {
    Attempts.Attempt running = attempts.start(Map.of(), null);
    attempts.await(alice, 1, true);

    assertSame(running, attempts.reset());
    assertNull(attempts.running());
    assertFalse(attempts.anyWaiting());
    // a late answer of the abandoned attempt must not be taken for a new one
    assertEquals(running.number + 1, attempts.start(Map.of(), null).number);
  }
}
