package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.errors.ComputeFailedException;
import io.kck.errors.ComputeTimeoutException;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.testing.CountingBatchPrimer;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batch computes on one node: keys of a primer with a batch compute whose computes start together
 * go through one call per batch size, each key in its own single flight, failing alone. The linger
 * is long (2 s) so that the batches counted here are made by their size, not by timing.
 */
class BatchComputeTest {
  static final CountingBatchPrimer counted = new CountingBatchPrimer("batch-counted");
  static final CountingBatchPrimer held = new CountingBatchPrimer("batch-held");
  static final CountingBatchPrimer partial = new CountingBatchPrimer("batch-partial");
  static final CountingBatchPrimer thrown = new CountingBatchPrimer("batch-thrown");
  static final CountingBatchPrimer slow = new CountingBatchPrimer("batch-slow");
  static final CountingPrimer input = new CountingPrimer("batch-input");
  static final CountingBatchPrimer dependent = new CountingBatchPrimer("batch-dependent");
  static final Primer<String> built = Primer.builder("batch-built", String.class)
      .parameters(CountingBatchPrimer.ID)
      .computeAll(batch -> batch.keys().forEach(key -> batch.complete(key, "built " + key.get(CountingBatchPrimer.ID))))
      .batchSize(3)
      .build();
  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("BatchComputeTest", TestNodes.config(
        """
        kck.batch.linger = 2s
        kck.primers."batch-counted".batch-size = 10
        kck.primers."batch-held".batch-size = 5
        kck.primers."batch-dependent".batch-size = 8
        kck.primers."batch-slow" { batch-size = 3, compute-timeout = 1s }
        """));
    kck = Kck.start(testKit.system(), counted, held, partial, thrown, slow, input, dependent, built);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static List<Key<String>> keys(Primer<String> primer, String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> primer.key(prefix + i)).toList();
  }

  @Test
  void getAllOfMissingKeysMakesOneCallPerBatchSize() {
    List<Key<String>> keys = keys(counted, "k", 30);
    List<KeyResult<String>> results = Stages.await(kck.getAll(keys));

    for (int i = 0; i < 30; i++) {
      assertTrue(results.get(i).ok(), results.get(i).toString());
      assertEquals("value of k" + i, results.get(i).entry().value());
      assertEquals(1, counted.computes("k" + i), "computes of k" + i);
    }
    assertEquals(3, counted.calls(), "batch calls for 30 keys in batches of 10: " + counted.batches());
    counted.batches().forEach(batch -> assertEquals(10, batch.size(), "a batch: " + batch));

    // Again with five more: the 30 are answered from their values, the five new ones share one
    // batch, which starts after the linger since it is not full.
    List<Key<String>> more = new ArrayList<>(keys);
    more.addAll(keys(counted, "new", 5));
    List<KeyResult<String>> again = Stages.await(kck.getAll(more));
    assertTrue(again.stream().allMatch(KeyResult::ok), again.toString());
    assertEquals(4, counted.calls(), "batch calls: " + counted.batches());
    assertEquals(List.of("new0", "new1", "new2", "new3", "new4"), counted.batches().get(3).stream().sorted().toList());
  }

  @Test
  void aGetOfAKeyInARunningBatchWaitsForThatBatch() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    held.body(batch -> {
      started.countDown();
      assertTrue(release.await(60, TimeUnit.SECONDS));
      batch.keys().forEach(key -> batch.complete(key, "held " + key.get(CountingBatchPrimer.ID)));
    });
    CompletableFuture<List<KeyResult<String>>> all = kck.getAll(keys(held, "h", 5)).toCompletableFuture();
    assertTrue(started.await(60, TimeUnit.SECONDS), "the batch of 5 started");

    // Gets of keys in the running batch, through the facade: they join its flight.
    List<CompletableFuture<String>> gets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      gets.add(kck.get(held.key("h" + (i % 3))).toCompletableFuture());
      gets.add(kck.refresh(held.key("h4")).toCompletableFuture()); // waits for a compute after the batch
    }
    assertFalse(gets.stream().anyMatch(CompletableFuture::isDone), "no get is answered while the batch runs");
    release.countDown();

    List<KeyResult<String>> results = Stages.await(all);
    assertTrue(results.stream().allMatch(KeyResult::ok), results.toString());
    for (int i = 0; i < 5; i++) {
      assertEquals("held h" + (i % 3), Stages.await(gets.get(2 * i)));
    }
    for (String id : List.of("h0", "h1", "h2", "h3")) {
      assertEquals(1, held.computes(id), "computes of " + id + ": the gets joined the batch");
    }
    // The refreshes asked for a compute that starts after them: h4 alone, in one more batch.
    assertEquals("held h4", Stages.await(gets.get(1)));
    assertEquals(2, held.computes("h4"));
    assertEquals(2, held.calls(), "calls: " + held.batches());
    assertEquals(List.of("h4"), held.batches().get(1));
  }

  @Test
  void keysOfABatchFailAloneEachWithItsOwnError() {
    partial.body(batch -> {
      for (Key<String> key : batch.keys()) {
        String id = key.get(CountingBatchPrimer.ID);
        if (id.startsWith("bad")) {
          batch.fail(key, new IllegalStateException("no source row for " + id));
        } else if (!id.startsWith("silent")) {
          batch.complete(key, "good " + id);
        } // a silent key is left unanswered
      }
    });
    List<Key<String>> keys = List.of(partial.key("good1"), partial.key("bad1"), partial.key("good2"),
        partial.key("bad2"), partial.key("silent1"));
    List<KeyResult<String>> results = Stages.await(kck.getAll(keys));

    assertEquals("good good1", results.get(0).entry().value());
    assertEquals("good good2", results.get(2).entry().value());
    for (int i : new int[] {1, 3}) {
      ComputeFailedException failure = assertInstanceOf(ComputeFailedException.class, results.get(i).error());
      assertEquals(keys.get(i).text(), failure.key());
      assertEquals("no source row for bad" + ((i + 1) / 2), failure.getCause().getMessage());
    }
    ComputeFailedException silent = assertInstanceOf(ComputeFailedException.class, results.get(4).error());
    assertTrue(silent.getMessage().contains("gave no value for key 'batch-partial/silent1'"), silent.getMessage());
    assertEquals(1, partial.calls(), "one batch: " + partial.batches());
    // The good values are stored: present without a compute.
    assertEquals("good good1", Stages.await(kck.getIfPresent(partial.key("good1"))).orElseThrow());
    assertTrue(Stages.await(kck.getIfPresent(partial.key("bad1"))).isEmpty());
  }

  @Test
  void aBatchComputeThatThrowsFailsOnlyTheKeysItHadNotAnswered() {
    IllegalStateException boom = new IllegalStateException("source went away");
    thrown.body(batch -> {
      batch.complete(thrown.key("first"), "answered first");
      assertThrows(IllegalArgumentException.class, () -> batch.complete(thrown.key("not-in-batch"), "x"));
      assertThrows(IllegalStateException.class, () -> batch.complete(thrown.key("first"), "twice"));
      assertThrows(IllegalArgumentException.class, () -> batch.complete(thrown.key("second"), null));
      throw boom;
    });
    List<KeyResult<String>> results = Stages.await(kck.getAll(List.of(thrown.key("first"), thrown.key("second"))));

    assertEquals("answered first", results.get(0).entry().value(), results.toString());
    ComputeFailedException failure = assertInstanceOf(ComputeFailedException.class, results.get(1).error());
    assertSame(boom, failure.getCause());
    assertEquals(1, thrown.calls());
  }

  @Test
  void keysThatTimeOutFailEachWithATimeoutAndTheBatchIsInterruptedOnceAllHave() {
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    slow.body(batch -> {
      try {
        Thread.sleep(120_000);
      } catch (InterruptedException e) {
        interrupted.complete(true);
        throw e;
      }
    });
    List<KeyResult<String>> results = Stages.await(kck.getAll(keys(slow, "s", 3)));

    for (KeyResult<String> result : results) {
      ComputeTimeoutException timeout = assertInstanceOf(ComputeTimeoutException.class, result.error(), result.toString());
      assertEquals(result.key(), timeout.key());
    }
    assertTrue(Stages.await(interrupted), "the batch's thread was interrupted once its three keys were abandoned");
    assertEquals(1, slow.calls());
  }

  @Test
  void aChangeThatOutdatesManyKeysRecomputesThemInBatches() {
    dependent.body(batch -> {
      for (Key<String> key : batch.keys()) {
        Object read = batch.context(key).get(input.key("source"));
        batch.complete(key, key.get(CountingBatchPrimer.ID) + " of " + read);
      }
    });
    List<KeyResult<String>> first = Stages.await(kck.getAll(keys(dependent, "d", 16)));
    assertTrue(first.stream().allMatch(result -> result.ok() && result.entry().value().equals(
        result.key().substring("batch-dependent/".length()) + " of value of source")), first.toString());
    assertEquals(2, dependent.calls(), "16 keys in batches of 8: " + dependent.batches());

    Stages.await(kck.put(input.key("source"), "changed"));

    // Every dependent recomputes eagerly; the 16 recomputes start together and fill two batches.
    for (int i = 0; i < 16; i++) {
      Eventually.value(kck, "batch-dependent/d" + i, "d" + i + " of changed");
      assertEquals(2, dependent.computes("d" + i), "computes of d" + i);
    }
    assertEquals(4, dependent.calls(), "batch calls: " + dependent.batches());
  }

  @Test
  void aBuiltPrimerComputesInBatchesOfItsOwnSizeAndAloneWhenCalledDirectly() throws Exception {
    List<KeyResult<String>> results = Stages.await(kck.getAll(keys(built, "b", 7)));
    assertTrue(results.stream().allMatch(KeyResult::ok), results.toString());
    assertEquals("built b6", results.get(6).entry().value());
    // Called directly (not by KCK), the compute of one key is a batch of that key alone.
    assertEquals("built x", built.compute(built.key("x"), null));
  }

  @Test
  void badBatchSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Primer.builder("p", String.class).batchSize(0));
    IllegalStateException none = assertThrows(IllegalStateException.class,
        () -> Primer.builder("p", String.class).build());
    assertTrue(none.getMessage().contains("computeAll"), none.getMessage());
  }
}
