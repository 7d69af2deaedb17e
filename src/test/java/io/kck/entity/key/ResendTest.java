package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import io.kck.Kck;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.testing.CountingPrimer;
import io.kck.testing.KeyStatuses;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request that reaches a key's entity right behind its stop message is lost (the entity stops on
 * the first, the second reaches a stopped actor); so may one that reaches a shard during a
 * hand-off. A get or an inspection is sent again after kck.request-resend-after, so its caller
 * hears within about that long instead of the request timeout (60 s here, longer than the test
 * waits).
 */
class ResendTest {
  static final Duration PATIENCE = Duration.ofSeconds(15);
  static final CountingPrimer plain = new CountingPrimer("resend");
  static final CountDownLatch release = new CountDownLatch(1);
  static final CountingPrimer slow = new CountingPrimer("resend-slow").body((key, count) -> {
    release.await();
    return "value " + count;
  });
  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("ResendTest", TestNodes.config("""
        kck.request-timeout = 60s
        kck.request-resend-after = 300ms
        """));
    kck = Kck.start(testKit.system(), plain, slow);
  }

  @AfterAll
  static void stop() {
    release.countDown();
    testKit.shutdownTestKit();
  }

  @Test
  void anInspectionLostBehindAStopIsSentAgain() {
    for (int i = 0; i < 10; i++) {
      String key = "resend/" + i;
      Stages.await(kck.get(key));
      KeyStatuses.entity(testKit.system(), key).tell(KeyCommand.Passivate.INSTANCE);
      assertEquals(key, Stages.await(kck.admin().inspect(kck.key(key)), PATIENCE).key());
    }
  }

  @Test
  void aGetLostBehindAStopIsSentAgainAndComputesOnce() {
    for (int i = 0; i < 10; i++) {
      String key = "resend/get-" + i;
      Stages.await(kck.get(key));
      Stages.await(kck.invalidate(key)); // the next get asks the key's actor, which computes
      int computes = plain.computes();
      KeyStatuses.entity(testKit.system(), key).tell(KeyCommand.Passivate.INSTANCE);
      assertNotNull(Stages.await(kck.get(key), PATIENCE));
      assertEquals(computes + 1, plain.computes(), "one compute for the get, however often it was sent");
    }
  }

  @Test
  void aGetThatArrivesTwiceWhileItsComputeRunsIsAnsweredOnce() {
    String key = "resend-slow/1";
    TestProbe<KeyReply> caller = testKit.createTestProbe();
    var entity = KeyStatuses.entity(testKit.system(), key);
    entity.tell(new KeyCommand.Get(caller.ref())); // starts the compute, which waits
    entity.tell(new KeyCommand.Get(caller.ref())); // the same get, sent again
    // Asked of the actor itself (kck.admin().inspect would not wait for an actor that may not run yet).
    KeyReply inspected = Stages.await(entity.ask(KeyCommand.Inspect::new, PATIENCE), PATIENCE);
    assertEquals(key, ((KeyReply.Status) inspected).status().key()); // both have arrived

    release.countDown();

    KeyReply.Ok answer = caller.expectMessageClass(KeyReply.Ok.class, PATIENCE);
    assertEquals("\"value 1\"", new String(answer.entry().value().json(), java.nio.charset.StandardCharsets.UTF_8));
    caller.expectNoMessage(Duration.ofMillis(500));
    assertEquals(1, slow.computes());
  }
}
