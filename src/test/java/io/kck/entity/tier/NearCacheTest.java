package io.kck.entity.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.Config;
import io.kck.entity.EntryData;
import io.kck.entity.metrics.Meters;
import io.kck.entity.settings.EntitySettings;
import io.kck.persistence.StoredValue;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.internal.PrimerRegistry;
import io.kck.testing.CountingPrimer;
import io.kck.testing.TestClock;
import io.kck.testing.TestNodes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a node copies of other nodes' keys, and when a copy stops answering: its owner's note of a
 * change, a write through this node, its age. The races a cluster test cannot produce at will (a
 * reply overtaken by the note of a later change) are played here in order.
 */
class NearCacheTest {
  static final CountingPrimer near = new CountingPrimer("near-unit");
  static final CountingPrimer aging = new CountingPrimer("near-unit-aging") {
    @Override
    public Freshness freshness() {
      return Freshness.maxAge(Duration.ofSeconds(2), Duration.ofMinutes(1));
    }
  };
  static final CountingPrimer plain = new CountingPrimer("near-unit-off");
  static ActorTestKit testKit;
  static TestClock clock;
  static NearCache cache;
  /** The renewals the cache asked for, by key, each completed by the test (or never). */
  static final Map<String, CompletableFuture<EntryData>> renewals = new ConcurrentHashMap<>();

  static CompletionStage<EntryData> renew(String key) {
    CompletableFuture<EntryData> renewal = new CompletableFuture<>();
    if (renewals.putIfAbsent(key, renewal) != null) {
      throw new AssertionError("a second renewal of " + key + " while one runs");
    }
    return renewal;
  }

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("NearCacheTest", TestNodes.manualTimeConfig("""
        kck.primers."near-unit".near-cache = on
        kck.primers."near-unit-aging".near-cache = on
        kck.near-cache.max-age = 5s
        """));
    Config config = testKit.system().settings().config();
    clock = TestClock.of(testKit);
    List<Primer<?>> primers = List.of(near, aging, plain);
    EntitySettings settings = EntitySettings.fromConfig(config, PrimerRegistry.of(primers));
    Meters meters = new Meters(new SimpleMeterRegistry(), primers, null, null, new AtomicInteger());
    // No sentinel runs on this node, so it owns no shard: every key is another node's.
    cache = NearCache.start(testKit.system(), config, settings, primers, meters, new ShardGuards(100, null),
        NearCacheTest::renew, clock);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aFreshAnswerIsCopiedAndAnswersUntilItsOwnerSaysItChanged() {
    Key<String> key = near.key("changed");
    cache.answered(key, value(key, 3));
    assertEquals(3, cache.servable(key).data().version());
    assertNotNull(cache.servable(key.text()), "by text too");

    cache.outdate(key.text(), 4);
    assertNull(cache.servable(key));
    cache.answered(key, value(key, 3));
    assertNull(cache.servable(key), "an answer below the owner's floor is not copied again");
    cache.answered(key, value(key, 4));
    assertEquals(4, cache.servable(key).data().version());
    cache.outdate(key.text(), 4);
    assertEquals(4, cache.servable(key).data().version(), "a note about older versions leaves a newer copy");
  }

  @Test
  void aCopyGoesWhenItsKeyStartsOnThisNode() {
    Key<String> key = near.key("moved");
    cache.answered(key, value(key, 1));
    assertNotNull(cache.servable(key)); // the key object now remembers where its copy sits
    cache.owned(key.text()); // its shard moved here: the key's actor starts on this node
    assertNull(cache.servable(key), "what the key remembers went with the copy");
    assertNull(cache.servable(near.key("moved")));
    cache.answered(key, value(key, 2)); // it moved away again
    assertEquals(2, cache.servable(key).data().version(), "a new place is found through the map");
  }

  @Test
  void aReplyOvertakenByTheNoteOfALaterChangeIsNotCopied() {
    Key<String> key = near.key("overtaken");
    cache.outdate(key.text(), 6); // the note arrives first
    cache.answered(key, value(key, 5)); // then the reply of a get sent before the change
    assertNull(cache.servable(key));
    cache.answered(key, value(key, 6));
    assertEquals(6, cache.servable(key).data().version());
  }

  @Test
  void aWriteThroughThisNodeDropsTheCopyAndNothingOlderThanItsAcknowledgementIsCopied() {
    Key<String> key = near.key("written");
    cache.answered(key, value(key, 1));
    cache.writing(key);
    assertNull(cache.servable(key), "gone before the write is sent");
    cache.answered(key, value(key, 1)); // a get that was in flight
    assertNull(cache.servable(key));
    cache.written(key, value(key, 2));
    cache.answered(key, value(key, 1));
    assertNull(cache.servable(key));
    cache.answered(key, value(key, 2));
    assertEquals(2, cache.servable(key).data().version());

    cache.writing(key); // an invalidation: acknowledged with no value, at the same version
    cache.written(key, new EntryData(key.text(), null, 2, Instant.EPOCH, false, false, null, null, Map.of()));
    cache.answered(key, value(key, 2));
    assertNull(cache.servable(key), "the invalidated version is not copied again");
  }

  @Test
  void onlyFreshValuesOfNearCachedPrimersAreCopied() {
    Key<String> off = plain.key("off");
    cache.answered(off, value(off, 1));
    assertNull(cache.servable(off), "near-cache is off for this primer");

    Key<String> key = near.key("stale");
    cache.answered(key, new EntryData(key.text(), json("v"), 1, clock.instant(), true, false, null, null,
        Map.of()));
    assertNull(cache.servable(key), "a stale answer is not copied");
    cache.answered(key, new EntryData(key.text(), null, 1, clock.instant(), false, false, null, null, Map.of()));
    assertNull(cache.servable(key), "nor one without a value");
  }

  @Test
  void aCopyAnswersNoLongerThanMaxAgeNorPastItsValuesFreshness() {
    Key<String> key = near.key("aged");
    cache.answered(key, value(key, 1));
    clock.timePasses(Duration.ofMillis(4_999));
    assertNotNull(cache.servable(key));
    clock.timePasses(Duration.ofMillis(1));
    assertNull(cache.servable(key), "kck.near-cache.max-age is 5 s here");
    cache.answered(key, value(key, 1));
    assertNotNull(cache.servable(key), "the get that found it too old asked, and copied the answer");

    Key<String> soft = aging.key("soft");
    cache.answered(soft, new EntryData(soft.text(), json("v"), 1,
        clock.instant().minus(Duration.ofMillis(1_500)), false, false, null, null, Map.of()));
    assertNotNull(cache.servable(soft));
    clock.timePasses(Duration.ofMillis(500));
    assertNull(cache.servable(soft), "its soft age (2 s after it was computed) is reached");
    assertTrue(cache.on(aging));
  }

  @Test
  void aCopyReadLateInItsLifeIsRenewedInTheBackground() {
    Key<String> key = near.key("renewed");
    long renewAfter = NearCache.renewAfterMillis(key.text(), 5_000);
    cache.answered(key, value(key, 1));
    clock.timePasses(Duration.ofMillis(renewAfter - 1));
    assertNotNull(cache.servable(key));
    assertNull(renewals.get(key.text()), "not renewed before its key's point");

    clock.timePasses(Duration.ofMillis(1));
    assertNotNull(cache.servable(key), "answered from the copy while it is renewed");
    assertNotNull(cache.servable(key), "one renewal at a time");
    renewals.remove(key.text()).complete(value(key, 1));
    clock.timePasses(Duration.ofMillis(4_000));
    assertNotNull(cache.servable(key), "the renewed copy lives max-age from its renewal");
    assertNotNull(renewals.get(key.text()), "read past its point again: renewed again");
    clock.timePasses(Duration.ofMillis(1_000));
    assertNull(cache.servable(key), "and no longer: its own renewal was asked for and never answered");
  }

  @Test
  void copiesMadeTogetherAreRenewedAtPointsSpreadFromFiveEighthsToThreeQuartersOfMaxAge() {
    long maxAge = 30_000;
    int[] perEighthOfTheWindow = new int[8];
    for (int i = 0; i < 10_000; i++) {
      long after = NearCache.renewAfterMillis("prices/" + i, maxAge);
      assertTrue(after >= maxAge * 5 / 8 && after <= maxAge * 3 / 4, "prices/" + i + " renews after " + after);
      assertEquals(after, NearCache.renewAfterMillis("prices/" + i, maxAge), "the same point every time");
      perEighthOfTheWindow[(int) Math.min(7, (after - maxAge * 5 / 8) * 8 / (maxAge / 8))]++;
    }
    for (int count : perEighthOfTheWindow) {
      assertTrue(count > 1_000, "about 1,250 keys in each eighth of the window: " + java.util.Arrays.toString(perEighthOfTheWindow));
    }
  }

  private static StoredValue json(String text) {
    return StoredValue.fromJson(("\"" + text + "\"").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static EntryData value(Key<?> key, long version) {
    return new EntryData(key.text(), json("v" + version), version, clock.instant(), false, false,
        null, null, Map.of());
  }
}
