package io.kck;

import io.kck.errors.InvalidKeyException;
import io.kck.errors.InvalidValueException;
import io.kck.errors.NothingToAugmentException;
import io.kck.errors.VersionConflictException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.primer.Augment;
import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** In-place delta updates: versions, rules, concurrency with recomputes, propagation, replay. */
class AugmentTest {

  /** A list of items; the delta is one more item. */
  public record Bag(List<String> items) {
    Bag plus(String item) {
      if (item.equals("boom")) {
        throw new IllegalArgumentException("'boom' is not an item");
      }
      List<String> more = new ArrayList<>(items);
      more.add(item);
      return new Bag(List.copyOf(more));
    }
  }

  static final Parameter<String> ID = Parameter.ofString("id");

  public static final class Bags extends Primer<Bag> {
    final AtomicInteger computes = new AtomicInteger();
    volatile CountDownLatch hold = new CountDownLatch(0);
    volatile CountDownLatch started = new CountDownLatch(0);

    public Bags(String name) {
      super(name, Bag.class, ID);
    }

    @Override
    public Bag compute(Key<Bag> key, ComputeContext<Bag> context) throws Exception {
      int n = computes.incrementAndGet();
      started.countDown();
      hold.await();
      return new Bag(List.of("computed-" + n));
    }

    @Override
    public Optional<Augment<Bag, ?>> augment() {
      return Optional.of(Augment.of(String.class, Bag::plus));
    }
  }

  /** How many items a bag has: follows the bag's deltas (one item more) without recomputing. */
  static final class Counts extends Primer<Long> {
    final AtomicInteger computes = new AtomicInteger();

    Counts() {
      super("augment-count", Long.class, ID);
    }

    @Override
    public Long compute(Key<Long> key, ComputeContext<Long> context) {
      computes.incrementAndGet();
      return (long) context.get(bags.key(key.get(ID))).items().size();
    }

    @Override
    public Optional<Augment<Long, ?>> augment() {
      return Optional.of(Augment.<Long, Long>of(Long.class, Long::sum)
          .fromUpstream((self, input, inputDelta) -> Optional.of(1L)));
    }
  }

  static final Bags bags = new Bags("augment-bag");
  static final Counts counts = new Counts();
  /** Reads the bag, declares no augment: recomputes when the bag is augmented. */
  static final CountingPrimer plain = new CountingPrimer("augment-plain");
  static final CountingPrimer noAugment = new CountingPrimer("augment-none");

  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("AugmentTest", TestNodes.config());
    kck = Kck.start(testKit.system(), bags, counts, plain, noAugment, new Primer<String>("augment-text", String.class, ID) {
      @Override
      public String compute(Key<String> key, ComputeContext<String> context) {
        return context.get(bags.key(key.get(ID))).items().size() + " items";
      }
    });
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anAugmentIsANewVersionAndAnExpectedVersionGuardsIt() {
    Key<Bag> key = bags.key("versions");
    Entry<Bag> first = Stages.await(kck.getEntry(key));
    long v1 = first.version();
    assertEquals(v1 + 1, Stages.await(kck.augment(key, "a")));
    assertEquals(v1 + 2, Stages.await(kck.augment(key, "b", v1 + 1)));
    VersionConflictException conflict =
        Stages.failure(kck.augment(key, "c", v1 + 1), VersionConflictException.class);
    assertTrue(conflict.getMessage().contains("at version " + (v1 + 1)) && conflict.getMessage().contains("is " + (v1 + 2)),
        conflict.getMessage());
    Entry<Bag> now = Stages.await(kck.getEntry(key));
    assertEquals(v1 + 2, now.version());
    assertEquals(List.of(first.value().items().get(0), "a", "b"), now.value().items());
  }

  @Test
  void badAugmentsFailClearlyAndApplyNothing() {
    Key<Bag> key = bags.key("rules");
    int computes = bags.computes.get();
    NothingToAugmentException empty = Stages.failure(kck.augment(key, "a"), NothingToAugmentException.class);
    assertTrue(empty.getMessage().contains("augment-bag/rules"), empty.getMessage());
    assertEquals(computes, bags.computes.get(), "an augment of a key without a value computes nothing");

    Entry<Bag> before = Stages.await(kck.getEntry(key));
    Stages.failure(kck.augment(key, 42), InvalidValueException.class);
    Stages.failure(kck.augment(key, null), InvalidValueException.class);
    Stages.failure(kck.augment(key, "x", -5), InvalidValueException.class);
    InvalidValueException rejected = Stages.failure(kck.augment(key, "boom"), InvalidValueException.class);
    assertTrue(rejected.getMessage().contains("'boom' is not an item"), rejected.getMessage());
    InvalidValueException unsupported =
        Stages.failure(kck.augment("augment-none/x", "a"), InvalidValueException.class);
    assertTrue(unsupported.getMessage().contains("declares no augment"), unsupported.getMessage());
    Stages.failure(kck.augment("augment-bag/rules/extra", "a"), InvalidKeyException.class);
    assertEquals(before, Stages.await(kck.getEntry(key)), "nothing was applied");
  }

  @Test
  void deltasThatArriveDuringARecomputeAreAppliedOnTopOfItsResult() throws Exception {
    Key<Bag> key = bags.key("during");
    Entry<Bag> first = Stages.await(kck.getEntry(key));
    bags.started = new CountDownLatch(1);
    bags.hold = new CountDownLatch(1);
    CompletableFuture<Entry<Bag>> refreshed = kck.refreshEntry(key).toCompletableFuture();
    bags.started.await();

    List<CompletableFuture<Long>> augments = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      augments.add(kck.augment(key, "d" + i).toCompletableFuture());
    }
    Set<Long> versions = new HashSet<>();
    for (CompletableFuture<Long> augment : augments) {
      versions.add(Stages.await(augment));
    }
    assertEquals(50, versions.size(), "every delta is its own version");
    bags.hold.countDown();

    Entry<Bag> after = Stages.await(refreshed);
    assertEquals(first.version() + 51, after.version());
    List<String> items = after.value().items();
    assertEquals("computed-" + bags.computes.get(), items.get(0), "the recompute's result...");
    assertEquals(51, items.size(), "...with each delta applied once on top: " + items);
    assertEquals(50, new HashSet<>(items.subList(1, 51)).size());
  }

  @Test
  void dependentsFollowADeltaOrRecompute() {
    Stages.await(kck.get(bags.key("chain")));
    assertEquals(1L, Stages.await(kck.get(counts.key("chain"))));
    assertEquals("1 items", Stages.await(kck.get("augment-text/chain")));
    int countComputes = counts.computes.get();

    Stages.await(kck.augment(bags.key("chain"), "x"));
    Stages.await(kck.augment(bags.key("chain"), "y"));
    Eventually.passes("the deltas to reach the count and its text", () -> {
      assertEquals(3L, Stages.await(kck.get(counts.key("chain"))));
      assertEquals("3 items", Stages.await(kck.get("augment-text/chain")));
    });
    assertEquals(countComputes, counts.computes.get(), "the count followed the deltas without recomputing");
  }

  /** A sale: every component required. */
  public record Sale(String item, Long cents) {}

  @Test
  void aDeltaWithAMissingFieldOrOneItsPrimersCheckRefusesIsNeverJournaled() {
    Primer<Long> till = Primer.builder("augment-till", Long.class).parameters(ID)
        .compute((key, context) -> 0L)
        .augment(Augment.<Long, Sale>of(Sale.class, (total, sale) -> total + sale.cents())
            .validatedBy(sale -> {
              if (sale.cents() < 0) {
                throw new IllegalArgumentException("a sale of " + sale.cents() + " cents is not a sale");
              }
            }))
        .build();
    ActorTestKit node = TestNodes.start("AugmentTestValidation", TestNodes.config());
    try {
      Kck checked = Kck.start(node.system(), till);
      Key<Long> key = till.key("1");
      assertEquals(0L, Stages.await(checked.get(key)));
      InvalidValueException missing = Stages.failure(checked.augment(key, new Sale("tea", null)), InvalidValueException.class);
      assertTrue(missing.getMessage().contains("cents"), missing.getMessage());
      InvalidValueException refused = Stages.failure(checked.augment(key, new Sale("tea", -5L)), InvalidValueException.class);
      assertTrue(refused.getMessage().contains("-5 cents is not a sale"), refused.getMessage());
      assertEquals(2L, Stages.await(checked.augment(key, new Sale("tea", 250L))), "only the valid delta is a version");
      assertEquals(250L, Stages.await(checked.get(key)));
    } finally {
      node.shutdownTestKit();
    }
  }
}
