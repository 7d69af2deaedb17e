package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.errors.OverloadedException;
import io.kck.primer.Freshness;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads do not create lasting state: a key joins the warm set only by an explicit call or its
 * primer's opt-in, the set is capped, and getIfPresent of a key never written starts nothing.
 */
class WarmSetTest {
  static final CountingPrimer periodic = new CountingPrimer("warmset-periodic") {
    @Override
    public Freshness freshness() {
      return Freshness.periodic(Duration.ofMinutes(10));
    }
  };
  static final CountingPrimer optedIn = new CountingPrimer("warmset-opted-in");
  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("WarmSetTest", TestNodes.config(TestNodes.ownDatabase("warm_set_test") + """
        kck.freshness.max-warm-keys = 3
        kck.primers."warmset-opted-in".keep-warm = on
        """));
    kck = Kck.start(testKit.system(), periodic, optedIn);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void keysJoinOnlyByAnExplicitCallOrTheirPrimersOptInAndTheSetIsCapped() {
    for (int i = 0; i < 5; i++) {
      Stages.await(kck.get("warmset-periodic/read-" + i));
    }
    assertEquals(Set.of(), Stages.await(kck.warmKeys()), "reads of a periodic primer keep nothing warm");

    Stages.await(kck.get("warmset-opted-in/a"));
    Eventually.until("the opted-in key to join", () -> Stages.await(kck.warmKeys()), keys -> keys.contains("warmset-opted-in/a"));
    Stages.await(kck.keepWarm("warmset-periodic/explicit-1"));
    Stages.await(kck.keepWarm("warmset-periodic/explicit-2"));
    assertEquals(3, Stages.await(kck.warmKeys()).size());

    CompletionException full = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> kck.keepWarm("warmset-periodic/explicit-3").toCompletableFuture().join());
    OverloadedException refused = assertInstanceOf(OverloadedException.class, full.getCause());
    assertTrue(refused.getMessage().contains("kck.freshness.max-warm-keys = 3"), refused.getMessage());
    assertEquals("warmset-periodic/explicit-3", refused.key());

    // A key of the opted-in primer past the cap keeps its value; it is just not kept warm.
    assertEquals("value of b", Stages.await(kck.get("warmset-opted-in/b")));
    assertFalse(Stages.await(kck.warmKeys()).contains("warmset-opted-in/b"));

    Stages.await(kck.stopKeepingWarm("warmset-periodic/explicit-2"));
    Stages.await(kck.keepWarm("warmset-periodic/explicit-3"));
    assertTrue(Stages.await(kck.warmKeys()).contains("warmset-periodic/explicit-3"));
  }

  @Test
  void getIfPresentOfAKeyNeverWrittenStartsNoActor() {
    int computesBefore = periodic.computes();
    for (int i = 0; i < 200; i++) {
      assertEquals(Optional.empty(), Stages.await(kck.getIfPresent("warmset-periodic/absent-" + i)));
    }
    assertTrue(Stages.await(kck.admin().liveKeys()).stream().noneMatch(key -> key.contains("absent-")),
        "no actor started for an absent key");
    assertTrue(periodic.computes() - computesBefore <= 5, "nothing computed but the other test's reads");

    Stages.await(kck.get("warmset-periodic/present"));
    assertEquals(Optional.of("value of present"), Stages.await(kck.getIfPresent("warmset-periodic/present")));
  }

}
