package io.kck.entity.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.entity.KeyCommand;
import io.kck.primer.Freshness;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.GraphPrimer;
import io.kck.testing.KeyStatuses;
import io.kck.testing.LiveKeys;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read tier keeps a key's fresh entry after its actor stops: a get on the owner node is
 * answered from it without starting the actor, but never after a change the key acknowledged,
 * never past the entry's freshness deadline, and never once the key's shard has left the node.
 * "Answered from the tier" is seen from outside: the get's stage is complete when it returns
 * (an ask through sharding never is), and the key's actor is still not running.
 */
class ReadTierTest {
  static final CountingPrimer plain = new CountingPrimer("tier");
  static final CountingPrimer aging = new CountingPrimer("tier-aging") {
    @Override
    public Freshness freshness() {
      return Freshness.maxAge(Duration.ofMillis(1500), Duration.ofMinutes(10));
    }
  };
  static final CountingPrimer input = new CountingPrimer("tier-input");
  static final GraphPrimer dependent =
      new GraphPrimer("tier-dependent", (id, context) -> "from " + context.get("tier-input/" + id));
  static ActorTestKit testKit;
  static Kck kck;
  static ShardGuards shards;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("ReadTierTest", TestNodes.config(""));
    kck = Kck.start(testKit.system(), plain, aging, input, dependent);
    // Only for the shard and sentinel ids of keys: it wakes nothing.
    shards = new ShardGuards(testKit.system().settings().config().getInt("kck.sharding.number-of-shards"), null);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aStoppedFreshKeyIsAnsweredWithoutStartingItsActor() {
    Entry<Object> first = Stages.await(kck.getEntry("tier/a"));
    int computes = plain.computes();
    stopKey(testKit, "tier/a");

    CompletableFuture<Entry<Object>> again = kck.getEntry("tier/a").toCompletableFuture();
    assertTrue(again.isDone(), "answered at once, from the tier");
    assertEquals(first, again.join());
    assertFalse(LiveKeys.of(testKit).contains("tier/a"), "the key's actor was not started");
    assertEquals(computes, plain.computes());
  }

  @Test
  void aChangeToAStoppedKeyIsNeverFollowedByItsOldValue() {
    var key = kck.key("tier/put"); // a key object remembers where the tier held its entry: it must not outlive it
    Stages.await(kck.put("tier/put", "one"));
    stopKey(testKit, "tier/put");
    assertTrue(kck.get(key).toCompletableFuture().isDone(), "kept in the tier");

    Entry<Object> two = Stages.await(kck.put("tier/put", "two"));
    assertEquals("two", Stages.await(kck.get(key)), "a put acknowledged is what the next get answers");
    assertEquals("two", Stages.await(kck.get("tier/put")));

    stopKey(testKit, "tier/put");
    assertEquals("two", kck.get(key).toCompletableFuture().getNow(null), "kept in the tier");
    Stages.await(kck.invalidate("tier/put"));
    Entry<?> after = Stages.await(kck.getEntry(key));
    assertNotEquals("two", after.value(), "an invalidated value is not served again");
    assertTrue(after.version() > two.version());
    assertEquals(after.value(), Stages.await(kck.get("tier/put")));
  }

  @Test
  void aStoppedDependentIsNotServedOnceItsInputChanged() {
    Stages.await(kck.put("tier-input/d", "first"));
    assertEquals("from first", Stages.await(kck.get("tier-dependent/d")));
    stopKey(testKit, "tier-dependent/d");
    assertTrue(kck.get("tier-dependent/d").toCompletableFuture().isDone(), "kept in the tier");

    Stages.await(kck.put("tier-input/d", "second"));
    // The change reaches the stopped dependent through sharding, which starts it: from then on the
    // old value is gone from the tier.
    Eventually.until("the dependent to see its input's change", () -> Stages.await(kck.get("tier-dependent/d")),
        "from second"::equals);
    for (int i = 0; i < 100; i++) {
      assertEquals("from second", Stages.await(kck.get("tier-dependent/d")));
    }
  }

  @Test
  void anInvalidationOfAStoppedDependentRemovesItsEntryBeforeItIsAcknowledged() {
    // A dependent that starts checks its inputs before it serves: its first state is not servable,
    // so only the entry it took over from its last run can be what it removes.
    Stages.await(kck.put("tier-input/i", "first"));
    Entry<Object> before = Stages.await(kck.getEntry("tier-dependent/i"));
    stopKey(testKit, "tier-dependent/i");
    assertTrue(kck.get("tier-dependent/i").toCompletableFuture().isDone(), "kept in the tier");

    Stages.await(kck.invalidate("tier-dependent/i"));
    Entry<Object> after = Stages.await(kck.getEntry("tier-dependent/i"));
    assertTrue(after.version() > before.version(), "not the invalidated entry: " + after);
  }

  @Test
  void aMaxAgeEntryIsNeverServedFromTheTierPastItsSoftAge() {
    Entry<Object> first = Stages.await(kck.getEntry("tier-aging/a"));
    stopKey(testKit, "tier-aging/a");
    Instant softAge = first.computedAt().plus(Duration.ofMillis(1500));
    Eventually.until("the kept entry to reach its soft age", () -> {
      Instant before = Instant.now();
      boolean fromTier = kck.getEntry("tier-aging/a").toCompletableFuture().isDone()
          && !LiveKeys.of(testKit).contains("tier-aging/a");
      assertFalse(fromTier && !before.isBefore(softAge), "served from the tier at " + before + ", past " + softAge);
      return fromTier;
    }, fromTier -> !fromTier);
  }

  @Test
  void aRevokedGuardServesNothingOfItsShard() {
    Stages.await(kck.get("tier/guarded"));
    stopKey(testKit, "tier/guarded");
    assertTrue(kck.get("tier/guarded").toCompletableFuture().isDone(), "kept in the tier");

    String sentinel = shards.sentinelId(shards.shardOf("tier/guarded"));
    KeyStatuses.entity(testKit.system(), sentinel).tell(KeyCommand.Passivate.INSTANCE);
    Eventually.until("the sentinel to stop", () -> LiveKeys.entities(testKit), live -> !live.contains(sentinel));

    Stages.await(kck.get("tier/guarded"));
    assertTrue(LiveKeys.of(testKit).contains("tier/guarded"), "the get went to the key's actor");
  }

  @Test
  void aNodeThatLeftServesNothingOfItsShards() {
    ActorTestKit node = TestNodes.start("ReadTierLeaving", TestNodes.config(""));
    Kck leaving = Kck.start(node.system(), new CountingPrimer("tier-leaving"));
    Stages.await(leaving.get("tier-leaving/a"));
    stopKey(node, "tier-leaving/a");
    assertTrue(leaving.get("tier-leaving/a").toCompletableFuture().isDone(), "kept in the tier");

    // Leaving hands every shard off (coordinated shutdown): each shard stops its entities, its
    // sentinel among them, before the shard can start elsewhere.
    node.shutdownTestKit();
    CompletableFuture<Object> get = leaving.get("tier-leaving/a").toCompletableFuture();
    assertTrue(get.isCompletedExceptionally(), "not answered from the entry of a shard that left");
  }

  @Test
  void pastMaxLiveTheLeastUsedKeysPassivateAndStayReadable() {
    ActorTestKit node = TestNodes.start("ReadTierMaxLive", TestNodes.config("kck.entity.max-live = 5"));
    try {
      CountingPrimer bounded = new CountingPrimer("tier-bounded");
      Kck small = Kck.start(node.system(), bounded);
      for (int i = 0; i < 20; i++) {
        assertEquals("value of " + i, Stages.await(small.get("tier-bounded/" + i)));
      }
      Eventually.until("at most 5 live keys", () -> LiveKeys.of(node), live -> live.size() <= 5);
      int fromTier = 0;
      for (int i = 0; i < 20; i++) {
        CompletableFuture<Object> get = small.get("tier-bounded/" + i).toCompletableFuture();
        fromTier += get.isDone() ? 1 : 0;
        assertEquals("value of " + i, Stages.await(get));
      }
      assertEquals(20, bounded.computes(), "a passivated key is read back, not recomputed");
      assertTrue(fromTier >= 10, "passivated keys answered from the tier: " + fromTier + " of 20");
    } finally {
      node.shutdownTestKit();
    }
  }

  /** Stops the key's actor (as idle passivation would), after its shard's sentinel runs here. */
  private static void stopKey(ActorTestKit on, String key) {
    String sentinel = shards.sentinelId(shards.shardOf(key));
    Eventually.until("the sentinel of " + key + "'s shard", () -> LiveKeys.entities(on), live -> live.contains(sentinel));
    KeyStatuses.entity(on.system(), key).tell(KeyCommand.Passivate.INSTANCE);
    Eventually.until(key + " to stop", () -> LiveKeys.of(on), live -> !live.contains(key));
  }
}
