package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.errors.DependencyCycleException;
import io.kck.primer.Propagation;
import io.kck.testing.Eventually;
import io.kck.testing.GraphPrimer;
import io.kck.testing.KeyStatuses;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Products that read other products: edges, eager and lazy propagation, early cutoff, glitch
 * freedom, bursts, cycles and deep graphs, on one node with a small compute pool.
 */
class DependenciesTest {
  static final long WINDOW_MILLIS = 100;

  /** Values the tests put; computing one gives "0". */
  static final GraphPrimer source = new GraphPrimer("dep-source", (id, context) -> "0");
  static final GraphPrimer plus =
      new GraphPrimer("dep-plus", (id, context) -> (String) context.get("dep-source/" + id) + "+");
  static final GraphPrimer carried =
      new GraphPrimer("dep-carried", (id, context) -> (String) context.get("dep-source/" + id) + "+");
  static final GraphPrimer selector =
      new GraphPrimer("dep-switch", (id, context) -> {
        String side = context.get(source.key(id + "-side")).equals("left") ? "-left" : "-right";
        return context.get(source.key(id + side));
      });
  static final GraphPrimer lazyOne =
      new GraphPrimer("dep-lazy1", Propagation.LAZY, (id, context) -> context.get(source.key(id)) + "1");
  static final GraphPrimer lazyTwo =
      new GraphPrimer("dep-lazy2", Propagation.LAZY, (id, context) -> (String) context.get("dep-lazy1/" + id) + "2");
  static final GraphPrimer parity =
      new GraphPrimer("dep-parity", (id, context) -> context.get(source.key(id)).length() % 2 == 0 ? "even" : "odd");
  static final GraphPrimer afterParity =
      new GraphPrimer("dep-after-parity", (id, context) -> (String) context.get("dep-parity/" + id) + "!");
  static final GraphPrimer declared =
      new GraphPrimer("dep-declared", Propagation.EAGER, (id, context) -> "computed", "dep-source/{id}");

  // The diamond: B and C read A (a source key), D reads B and C.
  static final GraphPrimer diamondB =
      new GraphPrimer("dep-b", (id, context) -> {
        String a = context.get(source.key(id));
        Thread.sleep(ThreadLocalRandom.current().nextInt(20));
        return "B(" + a + ")";
      });
  static final GraphPrimer diamondC =
      new GraphPrimer("dep-c", (id, context) -> {
        Thread.sleep(ThreadLocalRandom.current().nextInt(20));
        return "C(" + context.get(source.key(id)) + ")";
      });
  static final List<String> diamondInputs = new CopyOnWriteArrayList<>();
  static final GraphPrimer diamondD =
      new GraphPrimer("dep-d", (id, context) -> {
        // Random order of reads, too.
        boolean bFirst = ThreadLocalRandom.current().nextBoolean();
        String first = context.get(bFirst ? diamondB.key(id) : diamondC.key(id));
        String second = context.get(bFirst ? diamondC.key(id) : diamondB.key(id));
        String seen = bFirst ? first + second : second + first;
        diamondInputs.add(seen);
        return seen;
      });

  static final GraphPrimer burst =
      new GraphPrimer("dep-burst", (id, context) -> "saw " + context.get(source.key(id)));
  static final GraphPrimer cycle =
      new GraphPrimer("dep-cycle", (id, context) -> (String) context.get("dep-cycle/" + ((Integer.parseInt(id) + 1) % 3)));
  static final GraphPrimer selfReading =
      new GraphPrimer("dep-self", (id, context) -> (String) context.get("dep-self/" + id));
  static final CountDownLatch bothComputing = new CountDownLatch(2);
  static final GraphPrimer mutual =
      new GraphPrimer("dep-mutual", (id, context) -> {
        bothComputing.countDown();
        bothComputing.await();
        return (String) context.get("dep-mutual/" + (id.equals("a") ? "b" : "a"));
      });
  static final GraphPrimer chain =
      new GraphPrimer("dep-chain", (id, context) -> {
        int level = Integer.parseInt(id);
        String below = level == 0 ? context.get(source.key("chain")) : (String) context.get("dep-chain/" + (level - 1));
        return below + ".";
      });
  static final GraphPrimer slowBase =
      new GraphPrimer("dep-slow-base", (id, context) -> {
        Thread.sleep(200);
        return "base";
      });
  static final GraphPrimer fan =
      new GraphPrimer("dep-fan", (id, context) -> (String) context.get("dep-slow-base/" + "x") + "-" + id);

  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("DependenciesTest", TestNodes.config("""
        kck.compute.parallelism = 4
        kck.dependencies.coalesce-window = %dms
        """.formatted(WINDOW_MILLIS)));
    kck = Kck.start(testKit.system(), source, plus, carried, selector, lazyOne, lazyTwo, parity, afterParity,
        declared, diamondB, diamondC, diamondD, burst, cycle, selfReading, mutual, chain, slowBase, fan);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aRecomputeReadsTheEntryItsInputsChangeCarriedInsteadOfAskingUnlessItIsLarge() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    kck.admin().meters().add(registry);
    try {
      Stages.await(kck.put("dep-source/carried", "1"));
      assertEquals("1+", Stages.await(kck.get("dep-carried/carried")));
      // The first compute asked: nothing had told the key anything yet.
      assertEquals(0.0, reads(registry, "carried"));
      assertEquals(1.0, reads(registry, "asked"));

      Stages.await(kck.put("dep-source/carried", "2"));
      awaitValue("dep-carried/carried", "2+");
      assertEquals(1.0, reads(registry, "carried"), "the recompute read the entry the change carried");
      assertEquals(1.0, reads(registry, "asked"));

      // Past kck.dependencies.carry-values-up-to (16 KiB) the change carries no value: asked for.
      String large = "x".repeat(20_000);
      Stages.await(kck.put("dep-source/carried", large));
      awaitValue("dep-carried/carried", large + "+");
      assertEquals(1.0, reads(registry, "carried"));
      assertEquals(2.0, reads(registry, "asked"), "the large value was asked for");
    } finally {
      kck.admin().meters().remove(registry);
    }
  }

  private static double reads(SimpleMeterRegistry registry, String how) {
    return registry.get("kck.reads").tag("primer", "dep-carried").tag("how", how).counter().count();
  }

  @Test
  void aReadIsAnEdgeAndAnUpstreamUpdateRecomputesAnEagerDependent() {
    Stages.await(kck.put("dep-source/p", "1"));
    assertEquals("1+", Stages.await(kck.get("dep-plus/p")));
    KeyInfo upstream = KeyStatuses.of(kck, "dep-source/p");
    assertEquals(Set.of("dep-plus/p"), upstream.dependents());
    assertEquals(Map.of("dep-source/p", upstream.version()), KeyStatuses.of(kck, "dep-plus/p").inputs());

    Stages.await(kck.put("dep-source/p", "2"));
    // Nobody asks dep-plus/p: the update alone recomputes it.
    awaitComputes(plus, 2);
    awaitValue("dep-plus/p", "2+");
  }

  @Test
  void whenARecomputeReadsOtherKeysTheEdgesFollow() {
    Stages.await(kck.put("dep-source/s-side", "left"));
    Stages.await(kck.put("dep-source/s-left", "L1"));
    Stages.await(kck.put("dep-source/s-right", "R1"));
    assertEquals("L1", Stages.await(kck.get("dep-switch/s")));

    Stages.await(kck.put("dep-source/s-side", "right"));
    awaitValue("dep-switch/s", "R1");
    Eventually.status(kck, "dep-source/s-left", "to lose its dependent", status -> status.dependents().isEmpty());
    assertEquals(Set.of("dep-source/s-side", "dep-source/s-right"), KeyStatuses.of(kck, "dep-switch/s").inputs().keySet());
    int computes = selector.computes();

    Stages.await(kck.put("dep-source/s-left", "L2")); // no longer read: nothing happens
    Stages.await(kck.put("dep-source/s-right", "R2"));
    awaitValue("dep-switch/s", "R2");
    assertEquals(computes + 1, selector.computes(), "only the update of a key it reads recomputes it");
  }

  @Test
  void declaredDependenciesAreEdgesEvenWhenTheComputeDoesNotReadThem() {
    Stages.await(kck.put("dep-source/decl", "1"));
    Stages.await(kck.get("dep-declared/decl"));
    assertEquals(Set.of("dep-source/decl"), KeyStatuses.of(kck, "dep-declared/decl").inputs().keySet());
    Stages.await(kck.put("dep-source/decl", "2"));
    awaitComputes(declared, 2);
  }

  @Test
  void aLazyChainIsMarkedOutdatedAndAGetBringsItUpToDate() {
    Stages.await(kck.put("dep-source/lz", "a"));
    assertEquals("a12", Stages.await(kck.get("dep-lazy2/lz")));
    assertEquals(1, lazyOne.computes());
    assertEquals(1, lazyTwo.computes());

    Stages.await(kck.put("dep-source/lz", "b"));
    // Staleness is transitive: the input's input changed, so dep-lazy2 is outdated too.
    Eventually.status(kck, "dep-lazy2/lz", "to be outdated", KeyInfo::outdated);
    assertTrue(KeyStatuses.of(kck, "dep-lazy1/lz").outdated());
    assertEquals(1, lazyOne.computes(), "lazy: nothing computed until asked");
    assertEquals(1, lazyTwo.computes());

    Entry<Object> entry = Stages.await(kck.getEntry("dep-lazy2/lz"));
    assertEquals("b12", entry.value(), "one get brings the whole chain up to date");
    assertFalse(entry.stale());
    assertEquals(2, lazyOne.computes());
    assertEquals(2, lazyTwo.computes());
    assertFalse(KeyStatuses.of(kck, "dep-lazy1/lz").outdated());
  }

  @Test
  void aRecomputeThatGivesTheSameValueKeepsTheVersionAndTellsNobody() {
    Stages.await(kck.put("dep-source/par", "aa"));
    assertEquals("even!", Stages.await(kck.get("dep-after-parity/par")));
    long parityVersion = Stages.await(kck.getEntry("dep-parity/par")).version();

    Stages.await(kck.put("dep-source/par", "bbbb")); // still even
    awaitComputes(parity, 2);
    Eventually.status(kck, "dep-parity/par", "to finish computing", status -> !status.computing());
    assertEquals(parityVersion, Stages.await(kck.getEntry("dep-parity/par")).version());

    Stages.await(kck.put("dep-source/par", "ccc")); // odd
    awaitValue("dep-after-parity/par", "odd!");
    assertEquals(2, afterParity.computes(), "the even-to-even update reached nobody downstream");
  }

  @Test
  void aDiamondRecomputesItsBottomOnceFromNewInputsOnly() {
    Stages.await(kck.put("dep-source/dia", "0"));
    assertEquals("B(0)C(0)", Stages.await(kck.get("dep-d/dia")));
    int rounds = 30;
    for (int i = 1; i <= rounds; i++) {
      Stages.await(kck.put("dep-source/dia", String.valueOf(i)));
      awaitValue("dep-d/dia", "B(" + i + ")C(" + i + ")");
    }
    for (String seen : diamondInputs) {
      String b = seen.substring(2, seen.indexOf(')'));
      String c = seen.substring(seen.lastIndexOf('(') + 1, seen.length() - 1);
      assertEquals(b, c, "D computed from a mix of versions: " + seen + " (all: " + diamondInputs + ")");
    }
    assertEquals(rounds + 1, diamondD.computes(), "one compute of D per update of A: " + diamondInputs);
  }

  @Test
  void aBurstOfUpdatesCoalescesIntoFewRecomputes() {
    Stages.await(kck.put("dep-source/burst", "0"));
    assertEquals("saw 0", Stages.await(kck.get("dep-burst/burst")));
    int before = burst.computes();

    long start = System.nanoTime();
    List<CompletableFuture<?>> puts = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      puts.add(kck.put("dep-source/burst", String.valueOf(i)).toCompletableFuture());
    }
    CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
    long burstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    awaitValue("dep-burst/burst", "saw 100");
    int recomputes = burst.computes() - before;
    long bound = 2 + burstMillis / WINDOW_MILLIS;
    System.out.printf("100 updates in %d ms: %d recomputes of the eager dependent (bound %d)%n",
        burstMillis, recomputes, bound);
    assertTrue(recomputes <= bound, recomputes + " recomputes for 100 updates in " + burstMillis + " ms");
  }

  @Test
  void aProductThatReadsItselfThroughOthersFailsNamingTheCycle() {
    DependencyCycleException failure =
        Stages.failure(kck.get("dep-cycle/0"), DependencyCycleException.class);
    assertTrue(failure.getMessage().contains("dep-cycle/0 -> dep-cycle/1 -> dep-cycle/2 -> dep-cycle/0"),
        failure.getMessage());
    DependencyCycleException self = Stages.failure(kck.get("dep-self/x"), DependencyCycleException.class);
    assertTrue(self.getMessage().contains("dep-self/x -> dep-self/x"), self.getMessage());
  }

  @Test
  void twoComputesThatStartTogetherAndReadEachOtherFailInsteadOfWaitingForever() {
    // Both computes run before either reads: each read joins a compute that waits on the other.
    CompletableFuture<Object> a = kck.get("dep-mutual/a").toCompletableFuture();
    CompletableFuture<Object> b = kck.get("dep-mutual/b").toCompletableFuture();
    // compute.timeout is 120 s: failing within 30 s means the cycle was found, not timed out.
    DependencyCycleException failure = Stages.failure(a, DependencyCycleException.class, Duration.ofSeconds(30));
    assertTrue(failure.getMessage().contains("dep-mutual/a") && failure.getMessage().contains("dep-mutual/b"),
        failure.getMessage());
    Stages.failure(b, DependencyCycleException.class, Duration.ofSeconds(30));
  }

  @Test
  void aChainDeeperThanTheComputePoolCompletesAndPropagates() {
    Stages.await(kck.put("dep-source/chain", "x"));
    // 51 products, each waiting on the one below, on a pool of parallelism 4.
    assertEquals("x" + ".".repeat(51), Stages.await(kck.get("dep-chain/50"), Duration.ofSeconds(60)));
    Stages.await(kck.put("dep-source/chain", "y"));
    awaitValue("dep-chain/50", "y" + ".".repeat(51));
  }

  @Test
  void aThousandColdDependentsOfOneColdProductComputeTogether() {
    List<CompletableFuture<Object>> gets = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      gets.add(kck.get("dep-fan/" + i).toCompletableFuture());
    }
    CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).orTimeout(120, TimeUnit.SECONDS).join();
    for (int i = 0; i < 1000; i++) {
      assertEquals("base-" + i, gets.get(i).join());
    }
    assertEquals(1, slowBase.computes(), "the product they all read is computed once");
    assertEquals(1000, KeyStatuses.of(kck, "dep-slow-base/x").dependents().size());

    Stages.await(kck.put("dep-slow-base/x", "new"));
    Eventually.passes("every fan-out dependent to have the new base", Duration.ofSeconds(60), () -> {
      for (int i = 0; i < 1000; i += 37) {
        assertEquals("new-" + i, Stages.await(kck.get("dep-fan/" + i)));
      }
      assertEquals("new-999", Stages.await(kck.get("dep-fan/999")));
    });
  }

  @Test
  void aSubscriberReceivesTheCurrentValueThenEveryNewVersionInOrder() {
    Stages.await(kck.put("dep-source/sub", "v0"));
    List<Entry<Object>> seen = new CopyOnWriteArrayList<>();
    try (Subscription subscription = kck.subscribe("dep-source/sub", seen::add)) {
      Eventually.count("versions the subscriber saw (the current value first)", seen::size, 1);
      List<CompletableFuture<?>> puts = new ArrayList<>();
      for (int i = 1; i <= 20; i++) {
        puts.add(kck.put("dep-source/sub", "v" + i).toCompletableFuture());
      }
      CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).join();
      Eventually.count("versions the subscriber saw", seen::size, 21);
    }
    for (int i = 0; i < seen.size(); i++) {
      assertEquals("v" + i, seen.get(i).value());
      assertEquals(seen.get(0).version() + i, seen.get(i).version());
    }
  }

  @Test
  void aStreamOfADerivedKeyFollowsItsUpstreamUpdates() {
    Stages.await(kck.put("dep-source/stream", "a"));
    assertEquals("a+", Stages.await(kck.get("dep-plus/stream")));
    List<String> received = new CopyOnWriteArrayList<>();
    CompletableFuture<List<String>> three =
        kck.updates(plus.key("stream"))
            .map(entry -> {
              received.add(entry.value());
              return entry.value();
            })
            .take(3)
            .runWith(akka.stream.javadsl.Sink.seq(), testKit.system())
            .toCompletableFuture();
    Eventually.until("the stream's first element", () -> List.copyOf(received), List.of("a+")::equals);
    Stages.await(kck.put("dep-source/stream", "b"));
    Eventually.until("the stream's second element", () -> List.copyOf(received), List.of("a+", "b+")::equals);
    Stages.await(kck.put("dep-source/stream", "c"));
    assertEquals(List.of("a+", "b+", "c+"), Stages.await(three));
  }

  private static void awaitValue(String key, Object expected) {
    Eventually.value(kck, key, expected);
  }

  private static void awaitComputes(GraphPrimer primer, int computes) {
    Eventually.count("computes of " + primer.name(), primer::computes, computes);
  }
}
