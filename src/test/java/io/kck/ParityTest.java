package io.kck;

import io.kck.errors.ComputeFailedException;
import io.kck.errors.NotCachedException;
import io.kck.errors.UnknownPrimerException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.primer.Augment;
import io.kck.primer.Key;
import io.kck.primer.Freshness;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.CountingPrimer;
import io.kck.testing.KeyStatuses;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What users of the Python originals expect: bulk get, miss policy, hooks, lambda primers. */
class ParityTest {
  static final CountingPrimer plain = new CountingPrimer("parity-plain");
  static final CountingPrimer failing =
      new CountingPrimer("parity-failing").body((key, count) -> {
        throw new IllegalStateException("source down");
      });
  static final CountingPrimer cachedOnly = new CountingPrimer("parity-cached-only") {
    @Override
    public boolean computeOnMiss() {
      return false;
    }
  };
  static final Parameter<Integer> N = Parameter.ofInt("n");
  static final AtomicInteger lambdaComputes = new AtomicInteger();
  static final Primer<String> lambda = Primer.builder("parity-lambda", String.class)
      .parameters(N)
      .compute((key, context) -> "n=" + key.get(N) + " #" + lambdaComputes.incrementAndGet())
      .freshness(Freshness.maxAge(Duration.ofHours(1), Duration.ofHours(2)))
      .computeTimeout(Duration.ofSeconds(30))
      .augment(Augment.of(String.class, (value, suffix) -> value + suffix))
      .warmKey(7)
      .build();
  static final Primer<Integer> lambdaReader = Primer.builder("parity-lambda-reader", Integer.class)
      .compute((key, context) -> context.get(lambda.key(1)).length())
      .build();

  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("ParityTest", TestNodes.config());
    kck = Kck.start(testKit.system(), plain, failing, cachedOnly, lambda, lambdaReader);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void getAllAnswersEveryKeyWithItsOwnValueOrError() {
    int computes = plain.computes();
    // A key of a primer that is not registered here (the same name, another instance) fails alone.
    Key<String> unregistered = new CountingPrimer("no-such-primer").key("1");
    List<KeyResult<Object>> results = Stages.await(kck.<Object>getAll(List.of(kck.key("parity-plain/a"),
        kck.key("parity-failing/x"), unregistered, kck.key("parity-plain/b"), kck.key("parity-plain/a"))));
    assertEquals(5, results.size());
    assertEquals("value of a", results.get(0).entry().value());
    assertTrue(results.get(1).error() instanceof ComputeFailedException, results.get(1).toString());
    assertTrue(results.get(2).error() instanceof UnknownPrimerException, results.get(2).toString());
    assertEquals("no-such-primer/1", results.get(2).key());
    assertEquals("value of b", results.get(3).entry().value());
    assertEquals(results.get(0).entry(), results.get(4).entry());
    assertFalse(results.get(1).ok());
    assertEquals(computes + 2, plain.computes(), "a and b once each");
  }

  @Test
  void aPrimerThatDoesNotComputeOnAMissFailsFastUntilItHasAValue() {
    NotCachedException missing = Stages.failure(kck.get("parity-cached-only/x"), NotCachedException.class);
    assertTrue(missing.getMessage().contains("parity-cached-only/x"), missing.getMessage());
    assertEquals(0, cachedOnly.computes());
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent("parity-cached-only/x")));

    Stages.await(kck.put("parity-cached-only/x", "given"));
    assertEquals("given", Stages.await(kck.get("parity-cached-only/x")));
    // A refresh is explicit: it computes.
    assertEquals("value of x", Stages.await(kck.refresh("parity-cached-only/x")));

    // getIfPresent never computes, whatever the primer's policy.
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent("parity-plain/never")));
    assertEquals(0, KeyStatuses.of(kck, "parity-plain/never").version());
    assertEquals("value of y", Stages.await(kck.get("parity-plain/y")));
    assertEquals(Optional.of("value of y"), Stages.await(kck.getIfPresent("parity-plain/y")));
  }

  @Test
  void hooksSeeEveryActionAndOneThatThrowsBreaksNothing() {
    List<String> seen = new CopyOnWriteArrayList<>();
    Subscription recording = kck.addHook(plain, event -> {
      if (event.key().equals("parity-plain/hooked")) {
        seen.add(event.action() + " " + event.phase() + " v" + event.version()
            + (event.failure() == null ? "" : " failed") + (event.delta() == null ? "" : " " + event.delta()));
      }
    });
    Subscription throwing = kck.addHook(plain, event -> {
      throw new IllegalStateException("audit log full");
    });
    try {
      assertEquals("value of hooked", Stages.await(kck.get("parity-plain/hooked")));
      Stages.await(kck.refresh("parity-plain/hooked"));
      Stages.await(kck.put("parity-plain/hooked", "put"));
      Stages.await(kck.invalidate("parity-plain/hooked"));
      Eventually.passes("the hooks to have seen every action", () -> {
        assertEquals(List.of(
            "COMPUTE BEFORE v0", "COMPUTE AFTER v1",
            "REFRESH BEFORE v1", "COMPUTE BEFORE v1", "COMPUTE AFTER v1", "REFRESH AFTER v1",
            "PUT BEFORE v1", "PUT AFTER v2",
            "INVALIDATE BEFORE v2", "INVALIDATE AFTER v2"), seen);
      });
      String failure = KeyStatuses.of(kck, "parity-plain/hooked").hookFailure();
      assertTrue(failure != null && failure.contains("audit log full"), String.valueOf(failure));
    } finally {
      recording.close();
      throwing.close();
    }
    int before = seen.size();
    Stages.await(kck.get("parity-plain/hooked"));
    assertEquals(before, seen.size(), "a closed hook hears nothing");
  }

  @Test
  void aLambdaPrimerIsAsCompleteAsAClassPrimer() {
    assertEquals("parity-lambda/3", lambda.key(3).text());
    assertTrue(Stages.await(kck.get(lambda.key(3))).startsWith("n=3 #"));
    // Its warm key was computed at start-up, unasked.
    Eventually.until("parity-lambda/7 in the warm set", () -> Stages.await(kck.warmKeys()),
        keys -> keys.contains("parity-lambda/7"));
    // Augment, freshness, and reads by other products work like a class primer's.
    long version = Stages.await(kck.getEntry(lambda.key(1))).version();
    assertEquals(version + 1, Stages.await(kck.augment(lambda.key(1), "!")));
    assertTrue(Stages.await(kck.get(lambda.key(1))).endsWith("!"));
    Entry<String> entry = Stages.await(kck.getEntry(lambda.key(1)));
    assertFalse(entry.stale());
    assertEquals(entry.value().length(), Stages.await(kck.get("parity-lambda-reader")));
    assertNull(Stages.await(kck.getEntry(lambda.key(1))).lastError());
  }
}
