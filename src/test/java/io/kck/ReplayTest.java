package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Values come back from PostgreSQL after a restart: same value, same version, no compute. */
class ReplayTest {
  static final int KEYS = 1000;

  // Snapshots every 10 events, so that the keys refreshed more often replay events after one.
  static final String EVERY_10 = "kck.entity.snapshot-every = 10";

  @Test
  void everyKeyReadsBackAfterARestartWithoutComputing() {
    CountingPrimer before = new CountingPrimer("replay");
    before.body((key, count) -> "import of " + key.get(CountingPrimer.ID) + " at compute " + count);
    Map<String, Entry<Object>> written = new HashMap<>();

    ActorTestKit first = TestNodes.start("ReplayTestBefore", TestNodes.config(EVERY_10));
    try {
      Kck kck = Kck.start(first.system(), before);
      // A few keys get more than one version, so replay has events after a snapshot to apply.
      for (int i = 0; i < 20; i++) {
        Stages.await(kck.get("replay/" + i));
        for (int r = 0; r < i; r++) {
          Stages.await(kck.refresh("replay/" + i));
        }
      }
      List<CompletableFuture<Entry<Object>>> entries = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        entries.add(kck.getEntry("replay/" + i).toCompletableFuture());
      }
      entries.forEach(entry -> {
        Entry<Object> e = Stages.await(entry);
        written.put(e.key(), e);
      });
      assertEquals(KEYS, written.size());
      assertEquals(KEYS + 19 * 20 / 2, before.computes());
    } finally {
      first.shutdownTestKit();
    }

    CountingPrimer after = new CountingPrimer("replay");
    ActorTestKit second = TestNodes.start("ReplayTestAfter", TestNodes.config(EVERY_10));
    try {
      Kck kck = Kck.start(second.system(), after);
      List<CompletableFuture<Entry<Object>>> entries = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        entries.add(kck.getEntry("replay/" + i).toCompletableFuture());
      }
      for (CompletableFuture<Entry<Object>> future : entries) {
        Entry<Object> read = Stages.await(future);
        Entry<Object> expected = written.get(read.key());
        assertEquals(expected.value(), read.value(), read.key());
        assertEquals(expected.version(), read.version(), read.key());
        assertEquals(expected.computedAt(), read.computedAt(), read.key());
      }
      assertEquals(0, after.computes(), "no key was recomputed after the restart");
    } finally {
      second.shutdownTestKit();
    }
  }
}
