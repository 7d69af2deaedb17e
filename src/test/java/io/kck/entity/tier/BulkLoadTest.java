package io.kck.entity.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.KeyInfo;
import io.kck.entity.key.KeyRuntime;
import io.kck.entity.node.Engine;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.GraphPrimer;
import io.kck.testing.KeyStatuses;
import io.kck.testing.LiveKeys;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * After a restart, a get of a key whose shard runs on the node but whose actor does not is
 * answered from the key's rows in the journal, read together with other misses, without starting
 * the actor (kck.read-tier.bulk-load); what the journal cannot answer alone goes to the actor, and
 * an actor that starts while its key loads wins. Two nodes one after the other on one database:
 * the first writes, the second reads.
 */
class BulkLoadTest {
  static final int KEYS = 40;
  static final String SNAPSHOT_EVERY_5 = "kck.entity.snapshot-every = 5";

  static ActorTestKit testKit;
  static Kck kck;
  static KeyRuntime runtime;
  static final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  static final Map<String, Entry<Object>> written = new HashMap<>();
  static final CountingPrimer plain = new CountingPrimer("bulk");
  static final CountingPrimer race = new CountingPrimer("bulk-race");
  static final CountingPrimer aging = aging();
  static final CountingPrimer input = new CountingPrimer("bulk-input");
  static final GraphPrimer dependent =
      new GraphPrimer("bulk-dependent", (id, context) -> "from " + context.get("bulk-input/" + id));

  static CountingPrimer aging() {
    return new CountingPrimer("bulk-aging") {
      @Override
      public Freshness freshness() {
        return Freshness.maxAge(Duration.ofMillis(1), Duration.ofMinutes(10));
      }
    };
  }

  @BeforeAll
  static void writeThenRestart() {
    ActorTestKit first = TestNodes.start("BulkLoadTestBefore", TestNodes.config(SNAPSHOT_EVERY_5));
    try {
      Kck before = Kck.start(first.system(), new CountingPrimer("bulk"), new CountingPrimer("bulk-race"), aging(),
          new CountingPrimer("bulk-input"),
          new GraphPrimer("bulk-dependent", (id, context) -> "from " + context.get("bulk-input/" + id)));
      for (int i = 0; i < KEYS; i++) {
        Stages.await(before.get("bulk/" + i));
      }
      for (int r = 0; r < 7; r++) { // events after a snapshot to replay
        Stages.await(before.refresh("bulk/1"));
      }
      Stages.await(before.put("bulk/2", "put by the application"));
      for (int i = 0; i < KEYS; i++) {
        Entry<Object> entry = Stages.await(before.getEntry("bulk/" + i));
        written.put(entry.key(), entry);
      }
      Stages.await(before.put("bulk-race/present", "put before the restart"));
      Stages.await(before.get("bulk-race/a"));
      Stages.await(before.get("bulk-race/b"));
      Stages.await(before.get("bulk-aging/0"));
      Stages.await(before.get("bulk-dependent/0"));
      Stages.await(before.get("bulk/invalidated"));
      Stages.await(before.invalidate("bulk/invalidated"));
    } finally {
      first.shutdownTestKit();
    }
    testKit = TestNodes.start("BulkLoadTestAfter", TestNodes.config(SNAPSHOT_EVERY_5));
    kck = Kck.builder(testKit.system()).primers(plain, race, aging, input, dependent).meterRegistry(meters).start();
    runtime = Engine.on(testKit.system()).runtime();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void stoppedKeysAreAnsweredFromTheJournalWithoutStartingTheirActors() {
    List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> "bulk/" + i).toList();
    keys.forEach(BulkLoadTest::shardRunsHere);
    int computes = plain.computes();
    int loaded = loadedGets("bulk");

    List<CompletableFuture<Entry<Object>>> gets = new ArrayList<>();
    keys.forEach(key -> gets.add(kck.getEntry(key).toCompletableFuture()));
    for (CompletableFuture<Entry<Object>> get : gets) {
      Entry<Object> read = Stages.await(get);
      assertEquals(written.get(read.key()), read, "as the first node wrote it");
    }
    assertEquals(computes, plain.computes(), "nothing recomputed");
    Set<String> live = LiveKeys.of(testKit);
    assertTrue(keys.stream().noneMatch(live::contains), "no key's actor started: " + live);
    assertEquals(loaded + KEYS, loadedGets("bulk"), "every get counted as loaded");
    assertTrue(kck.getEntry("bulk/3").toCompletableFuture().isDone(), "the next get is a hit in the tier");

    // The actor, once started for a write, loaded what the tier served, and its write wins.
    KeyInfo status = KeyStatuses.of(kck, "bulk/2");
    assertEquals(written.get("bulk/2").version(), status.version());
    assertNull(runtime.loader().load(kck.key("bulk/2")), "a key whose actor runs here is not loaded");
    Entry<Object> put = Stages.await(kck.put("bulk/2", "second put"));
    assertEquals(written.get("bulk/2").version() + 1, put.version());
    assertEquals("second put", Stages.await(kck.get("bulk/2")));
  }

  @Test
  void getIfPresentIsLoadedToo() {
    shardRunsHere("bulk-race/present");
    int loaded = loadedGets("bulk-race");
    assertEquals(java.util.Optional.of("put before the restart"), Stages.await(kck.getIfPresent("bulk-race/present")));
    assertFalse(LiveKeys.of(testKit).contains("bulk-race/present"), "its actor did not start");
    assertEquals(loaded + 1, loadedGets("bulk-race"));
  }

  @Test
  void whatTheJournalCannotAnswerAloneAsksTheKeysActor() {
    List<String> keys = List.of("bulk-aging/0", "bulk-dependent/0", "bulk/invalidated", "bulk/never-written");
    keys.forEach(BulkLoadTest::shardRunsHere);
    int computes = plain.computes();

    assertNotNull(Stages.await(kck.getEntry("bulk-aging/0")).value()); // past its soft age: served stale, refreshed
    assertEquals("from " + Stages.await(kck.get("bulk-input/0")), Stages.await(kck.get("bulk-dependent/0")));
    assertNotNull(Stages.await(kck.get("bulk/invalidated")));
    assertNotNull(Stages.await(kck.get("bulk/never-written")));

    assertTrue(LiveKeys.of(testKit).containsAll(keys), "each asked its actor");
    assertEquals(computes + 2, plain.computes(), "the invalidated key and the new one were computed");
    assertEquals(0, loadedGets("bulk-aging") + loadedGets("bulk-dependent"));
  }

  @Test
  void aKeyWhoseActorStartsWhileItLoadsIsLeftToTheActor() {
    // A loader of its own whose threads never start: the test runs its batches, in the order it needs.
    TierLoader loader = new TierLoader(runtime.tier(), runtime.guards(), runtime.settings(), runtime.codecs(),
        runtime.meters(), runtime.rows(), runtime.health(), runtime.clock(),
        TierLoader.Settings.fromConfig(testKit.system().settings().config()));
    Key<?> raced = kck.key("bulk-race/a");
    Key<?> quiet = kck.key("bulk-race/b");
    shardRunsHere(raced.text());
    shardRunsHere(quiet.text());

    CompletionStage<LocalEntry> racedLoad = loader.load(raced);
    CompletionStage<LocalEntry> quietLoad = loader.load(quiet);
    assertNotNull(racedLoad);
    assertFalse(racedLoad.toCompletableFuture().isDone());
    loader.actorStarted(raced.text()); // after the load claimed the key, before it read the journal
    loader.loadWaiting();

    assertNull(racedLoad.toCompletableFuture().join(), "the actor answers");
    assertNull(runtime.tier().get(raced.text()), "nothing put in the tier");
    LocalEntry loaded = quietLoad.toCompletableFuture().join();
    assertNotNull(loaded);
    assertSame(loaded, runtime.tier().get(quiet.text()));
    assertNull(loader.load(raced), "while its actor runs, a key is not loaded");
    loader.actorStopped(raced.text());
    assertNotNull(loader.load(raced), "once it stopped, it is");
    assertFalse(LiveKeys.of(testKit).contains(raced.text()));
  }

  /** Waits until the shard of {@code key} runs here (its sentinel holds its guard): a load needs it. */
  private static void shardRunsHere(String key) {
    ShardGuards guards = runtime.guards();
    String shard = guards.shardOf(key);
    guards.ensure(shard);
    Eventually.until("the guard of " + key + "'s shard", () -> guards.current(shard) != null, here -> here);
  }

  private static int loadedGets(String primer) {
    var counter = meters.find("kck.gets").tag("primer", primer).tag("outcome", "loaded").functionCounter();
    return counter == null ? 0 : (int) counter.count();
  }
}
