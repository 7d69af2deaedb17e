package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The journal's dispatcher ({@code kck.journal-dispatcher}, {@link CallerRunsExecutorConfigurator})
 * runs an actor on the thread that sends to it, one level deep: what an actor sends from there to
 * an actor of the same dispatcher runs on the dispatcher's own threads, so a chain of messages
 * never deepens the sender's stack.
 */
class CallerRunsExecutorTest {
  private static ActorTestKit testKit;

  /** Replies with the name of the thread that handled the message; {@code hops} > 0 passes it on first. */
  record Hop(int hops, ActorRef<String> replyTo) {}

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("CallerRunsExecutorTest", ConfigFactory.parseString("akka.actor.provider = local"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static Behavior<Hop> hopper() {
    return Behaviors.setup(context -> Behaviors.receiveMessage(hop -> {
      if (hop.hops() > 0) {
        context.getSelf().tell(new Hop(hop.hops() - 1, hop.replyTo()));
      } else {
        hop.replyTo().tell(Thread.currentThread().getName());
      }
      return Behaviors.same();
    }));
  }

  private static ActorRef<Hop> spawnOnJournalDispatcher() {
    ActorRef<Hop> hopper = testKit.spawn(hopper(), DispatcherSelector.fromConfig("kck.journal-dispatcher"));
    // The spawn's own start-up runs somewhere first; wait for it so that the next tell is a plain message.
    TestProbe<String> started = testKit.createTestProbe();
    hopper.tell(new Hop(0, started.getRef()));
    started.expectMessageClass(String.class);
    return hopper;
  }

  @Test
  void aMessageIsHandledOnTheThreadThatSendsIt() {
    ActorRef<Hop> hopper = spawnOnJournalDispatcher();
    TestProbe<String> thread = testKit.createTestProbe();
    String here = Thread.currentThread().getName();

    // A tell runs the actor's mailbox before it returns once the mailbox is idle; the run that
    // answered the previous message may still be finishing on another thread, so try again.
    thread.awaitAssert(() -> {
      hopper.tell(new Hop(0, thread.getRef()));
      assertEquals(here, thread.receiveMessage());
      return null;
    });
  }

  @Test
  void aLongChainOfMessagesRunsOnTheDispatchersThreadsWithoutDeepeningTheSendersStack() {
    ActorRef<Hop> hopper = spawnOnJournalDispatcher();
    TestProbe<String> thread = testKit.createTestProbe();

    // Each message sends the next from inside a run: were each run inline, 200,000 nested mailbox
    // runs would overflow any stack.
    hopper.tell(new Hop(200_000, thread.getRef()));

    String last = thread.receiveMessage(Duration.ofSeconds(30));
    assertTrue(last.contains("kck.journal-dispatcher"), "the chain's end ran on " + last);
  }
}
