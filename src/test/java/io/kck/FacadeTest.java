package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.errors.InvalidKeyException;
import io.kck.errors.InvalidParameterException;
import io.kck.errors.InvalidValueException;
import io.kck.errors.UnknownPrimerException;
import io.kck.errors.VersionConflictException;
import io.kck.errors.WrongParameterCountException;
import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.KeyStatuses;
import io.kck.testing.LiveKeys;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The facade's operations on a one-node cluster with the real PostgreSQL. */
class FacadeTest {
  /** A value type with structure, stored as JSON of its declared type. */
  public record Sales(int register, LocalDate day, List<Long> amounts) {}

  static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
  static final Parameter<LocalDate> DAY = Parameter.ofDate("day");

  static final class DailySales extends Primer<Sales> {
    final java.util.concurrent.atomic.AtomicInteger computes = new java.util.concurrent.atomic.AtomicInteger();
    final AtomicReference<ComputeContext<Sales>> lastContext = new AtomicReference<>();

    DailySales() {
      super("facade-sales", Sales.class, REGISTER, DAY);
    }

    @Override
    public Sales compute(Key<Sales> key, ComputeContext<Sales> context) {
      lastContext.set(context);
      int n = computes.incrementAndGet();
      return new Sales(key.get(REGISTER), key.get(DAY), List.of(100L * n, 250L));
    }
  }

  static final DailySales sales = new DailySales();
  static final CountingPrimer counting = new CountingPrimer("facade-counting");
  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("FacadeTest", TestNodes.config());
    kck = Kck.start(testKit.system(), sales, counting);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void getComputesOnceThenServesTheCachedValueWithItsVersion() {
    Instant before = Instant.now();
    Entry<Sales> first = Stages.await(kck.getEntry(sales.key(1, LocalDate.of(2026, 11, 2))));
    assertEquals(1, first.value().register());
    assertEquals(LocalDate.of(2026, 11, 2), first.value().day());
    assertEquals(250L, first.value().amounts().get(1));
    assertEquals(1, first.version());
    assertEquals("facade-sales/1/2026-11-02", first.key());
    assertTrue(!first.computedAt().isBefore(before.minusMillis(1)), first.computedAt() + " vs " + before);

    int computes = sales.computes.get();
    Sales again = Stages.await(kck.get(sales.key(1, LocalDate.of(2026, 11, 2))));
    Object byText = Stages.await(kck.get("facade-sales/01/2026-11-02"));
    assertEquals(first.value(), again);
    assertEquals(first.value(), byText);
    assertEquals(computes, sales.computes.get(), "a hit must not compute");
  }

  @Test
  void refreshRecomputesAndRaisesTheVersion() {
    Key<Sales> key = sales.key(2, LocalDate.of(2026, 11, 2));
    Entry<Sales> first = Stages.await(kck.getEntry(key));
    Entry<Sales> refreshed = Stages.await(kck.refreshEntry(key));
    assertEquals(first.version() + 1, refreshed.version());
    assertTrue(sales.lastContext.get().previousValue().isPresent(), "a refresh sees the value it replaces");
    assertEquals(first.value(), sales.lastContext.get().previousValue().get());
    assertEquals(first.version(), sales.lastContext.get().previousVersion());
    assertEquals(refreshed.value(), Stages.await(kck.get(key)));
  }

  @Test
  void refreshNeverAnswersWithAComputeThatStartedBeforeIt() throws Exception {
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    counting.body((key, count) -> {
      if (count == 1) {
        firstStarted.countDown();
        releaseFirst.await();
      }
      return "compute #" + count;
    });
    CompletableFuture<Object> get = kck.get("facade-counting/r").toCompletableFuture();
    firstStarted.await();
    CompletableFuture<Object> refresh = kck.refresh("facade-counting/r").toCompletableFuture();
    CompletableFuture<Object> refresh2 = kck.refresh("facade-counting/r").toCompletableFuture();
    // Both refreshes must have reached the key while compute #1 runs.
    Eventually.status(kck, "facade-counting/r", "to have one compute and three callers waiting",
        status -> status.computing() && status.waiting() == 3);
    releaseFirst.countDown();
    assertEquals("compute #1", Stages.await(get));
    assertEquals("compute #2", Stages.await(refresh));
    assertEquals("compute #2", Stages.await(refresh2), "refreshes that arrive together share a compute");
    assertEquals(2, counting.computes());
  }

  @Test
  void putStoresAnAuthoritativeValueAsTheNextVersion() {
    Key<Sales> key = sales.key(3, LocalDate.of(2026, 11, 2));
    Sales imported = new Sales(3, LocalDate.of(2026, 11, 2), List.of(1L, 2L, 3L));
    int computes = sales.computes.get();
    Entry<Sales> put = Stages.await(kck.put(key, imported));
    assertEquals(1, put.version());
    assertEquals(imported, Stages.await(kck.get(key)));
    assertEquals(computes, sales.computes.get(), "a put value is served without computing");

    Entry<Sales> second = Stages.await(kck.put(key, new Sales(3, LocalDate.of(2026, 11, 2), List.of(9L))));
    assertEquals(2, second.version());
  }

  @Test
  void ofPutsExpectingOneVersionExactlyOneWinsWhetherInTurnOrAtOnce() {
    LocalDate day = LocalDate.of(2026, 11, 2);
    Key<Sales> key = sales.key(7, day);
    long version = Stages.await(kck.put(key, new Sales(7, day, List.of(1L)))).version();

    // In turn: the second expects a version that is gone, and writes nothing.
    Sales first = new Sales(7, day, List.of(2L));
    assertEquals(version + 1, Stages.await(kck.put(key, first, version)).version());
    VersionConflictException stale = Stages.failure(kck.put(key, new Sales(7, day, List.of(3L)), version),
        VersionConflictException.class);
    assertEquals(key.text(), stale.key());
    assertTrue(stale.getMessage().contains("at version " + version)
        && stale.getMessage().contains("current version is " + (version + 1)), stale.getMessage());
    assertEquals(first, Stages.await(kck.get(key)));

    // At once: ten puts expecting the current version; the key takes exactly one.
    long current = version + 1;
    List<CompletableFuture<Entry<Sales>>> racing = new ArrayList<>();
    for (long i = 0; i < 10; i++) {
      racing.add(kck.put(key, new Sales(7, day, List.of(100 + i)), current).toCompletableFuture());
    }
    Stages.await(CompletableFuture.allOf(racing.toArray(CompletableFuture[]::new)).handle((all, error) -> null));
    List<Entry<Sales>> won = new ArrayList<>();
    for (CompletableFuture<Entry<Sales>> put : racing) {
      if (put.isCompletedExceptionally()) {
        Stages.failure(put, VersionConflictException.class); // each loser is told why
      } else {
        won.add(put.join());
      }
    }
    assertEquals(1, won.size(), "one put per expected version");
    Entry<Sales> now = Stages.await(kck.getEntry(key));
    assertEquals(current + 1, now.version());
    assertEquals(won.get(0).value(), now.value());

    // A key without a value has no version to expect: nothing is written.
    Key<Sales> none = sales.key(8, day);
    VersionConflictException empty = Stages.failure(kck.put(none, first, 1), VersionConflictException.class);
    assertTrue(empty.getMessage().contains("no value"), empty.getMessage());
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent(none)));
  }

  @Test
  void hitsShareOneCompletedAnswerPerEntryAndAPutReplacesItBeforeItIsAcknowledged() {
    Key<Sales> key = sales.key(5, LocalDate.of(2026, 11, 2));
    Entry<Sales> first = Stages.await(kck.getEntry(key));
    // The entry is published as the compute's answer goes out: the next gets are hits on it.
    CompletionStage<Sales> hit = Eventually.until("a get of " + key + " to be a hit", () -> kck.get(key),
        stage -> stage == kck.get(key));
    assertEquals(first.value(), Stages.await(hit));
    assertTrue((Object) hit == kck.get(key.text()), "by text, the same answer, without parsing");
    assertTrue((Object) kck.getEntry(key) == kck.getEntry(key.text()), "the entry's answer is shared too");
    CompletableFuture<Sales> shared = hit.toCompletableFuture();
    assertThrows(UnsupportedOperationException.class, () -> shared.obtrudeValue(null), "nobody replaces a shared answer");
    assertTrue(!shared.complete(null) && shared.join().equals(first.value()), "nor completes it again");

    Sales imported = new Sales(5, LocalDate.of(2026, 11, 2), List.of(7L));
    Entry<Sales> put = Stages.await(kck.put(key, imported));
    CompletionStage<Sales> after = kck.get(key);
    assertTrue(after != hit, "an acknowledged put has replaced the entry the hits shared");
    assertEquals(imported, Stages.await(after), "read your writes");
    assertEquals(put.version(), Stages.await(kck.getEntry(key)).version());
  }

  @Test
  void invalidateDropsTheValueAndTheNextGetComputesAHigherVersion() {
    Key<Sales> key = sales.key(4, LocalDate.of(2026, 11, 2));
    Entry<Sales> first = Stages.await(kck.getEntry(key));
    int computes = sales.computes.get();
    assertNull(Stages.await(kck.invalidate(key)));
    Entry<Sales> next = Stages.await(kck.getEntry(key));
    assertEquals(computes + 1, sales.computes.get());
    assertEquals(first.version() + 1, next.version());
    // Invalidating a key without a value is allowed and changes nothing.
    Stages.await(kck.invalidate("facade-sales/99/2026-11-02"));
  }

  @Test
  void invalidKeysFailWithSpecificErrorsAndStartNoEntity() {
    List<String> bad = List.of("nope/1", "facade-sales/1", "facade-sales/x/2026-11-02",
        "facade-sales/1/2026-13-01", "", "facade-sales/1/2026-11-02/extra");
    for (String text : bad) {
      InvalidKeyException error = Stages.failure(kck.get(text), InvalidKeyException.class);
      assertEquals(text, error.key());
      Stages.failure(kck.refresh(text), InvalidKeyException.class);
      Stages.failure(kck.invalidate(text), InvalidKeyException.class);
      Stages.failure(kck.put(text, "v"), InvalidKeyException.class);
    }
    Stages.failure(kck.get("nope/1"), UnknownPrimerException.class);
    Stages.failure(kck.get("facade-sales/1"), WrongParameterCountException.class);
    Stages.failure(kck.get("facade-sales/x/2026-11-02"), InvalidParameterException.class);
    assertThrows(InvalidParameterException.class, () -> sales.key("1", LocalDate.of(2026, 1, 1)));
    assertThrows(WrongParameterCountException.class, () -> sales.key(1));
    Stages.failure(kck.get((String) null), InvalidKeyException.class);
    Stages.failure(kck.get((Key<Sales>) null), InvalidKeyException.class);
    // A primer instance that was never registered, even with a registered name.
    Stages.failure(kck.get(new DailySales().key(1, LocalDate.of(2026, 1, 1))), UnknownPrimerException.class);

    for (String live : LiveKeys.of(testKit)) {
      assertTrue(live.startsWith("facade-sales/") || live.startsWith("facade-counting/"), live);
      assertTrue(kck.key(live).text().equals(live), "only canonical keys become entities: " + live);
    }
  }

  @Test
  void putRejectsValuesOfTheWrongTypeAndStoresNothing() {
    String key = "facade-sales/5/2026-11-02";
    InvalidValueException wrong = Stages.failure(kck.put(key, "not sales"), InvalidValueException.class);
    assertEquals(key, wrong.key());
    assertTrue(wrong.getMessage().contains(key) && wrong.getMessage().contains("String"), wrong.getMessage());
    Stages.failure(kck.put(key, null), InvalidValueException.class);
    assertTrue(!LiveKeys.of(testKit).contains(key), "a rejected put starts no entity");
  }

  @Test
  void akkaUsersCanAskTheKeyEntityDirectly() {
    Key<Sales> key = sales.key(6, LocalDate.of(2026, 11, 2));
    KeyReply reply = Stages.await(
        KeyStatuses.entity(testKit.system(), key.text()).ask(KeyCommand.Get::new, Duration.ofSeconds(10)));
    KeyReply.Ok ok = (KeyReply.Ok) reply;
    assertEquals(key.text(), ok.entry().key());
    io.kck.persistence.ValueCodec codec = new io.kck.persistence.ValueCodec(
        akka.serialization.jackson.JacksonObjectMapperProvider.get(testKit.system())
            .getOrCreate("kck-values", java.util.Optional.empty()), sales.valueType());
    assertEquals(6, ((Sales) ok.entry().value().value(codec)).register());
  }

  @Test
  void startingTwiceOnOneSystemFails() {
    assertThrows(IllegalStateException.class, () -> Kck.start(testKit.system(), sales));
  }
}
