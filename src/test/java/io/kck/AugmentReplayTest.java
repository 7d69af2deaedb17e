package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** 10,000 deltas journaled as small events, then a restart: the same value and version. */
class AugmentReplayTest {

  @Test
  void tenThousandDeltasReplayToTheSameValueAndVersion() throws Exception {
    String config = "kck.augment.snapshot-every = 1000\nkck.augment.snapshot-after-bytes = 64KiB";
    AugmentTest.Bags before = new AugmentTest.Bags("augment-replay");
    Entry<AugmentTest.Bag> written;
    ActorTestKit first = TestNodes.start("AugmentReplayBefore", TestNodes.config(config));
    try {
      Kck kck = Kck.start(first.system(), before);
      Stages.await(kck.get(before.key("k")));
      for (int batch = 0; batch < 20; batch++) {
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
          acks.add(kck.augment(before.key("k"), "item-" + (batch * 500 + i)).toCompletableFuture());
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, java.util.concurrent.TimeUnit.SECONDS);
      }
      written = Stages.await(kck.getEntry(before.key("k")));
      assertEquals(10_001, written.version());
      assertEquals(10_001, written.value().items().size());
    } finally {
      first.shutdownTestKit();
    }

    // Deltas are journaled as deltas: the journal holds small events, not 10,000 copies of the list.
    String url = io.kck.persistence.EmbeddedAccess.jdbcUrl(TestNodes.DATA_DIRECTORY, false);
    try (Connection connection = io.kck.persistence.EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY, url);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT max(length(event_payload)) FROM event_journal WHERE persistence_id = 'kck-key|augment-replay/k'"
                + " AND sequence_number > 1")) {
      rows.next();
      assertTrue(rows.getInt(1) < 200, "largest delta event: " + rows.getInt(1) + " bytes");
    }

    AugmentTest.Bags after = new AugmentTest.Bags("augment-replay");
    ActorTestKit second = TestNodes.start("AugmentReplayAfter", TestNodes.config(config));
    try {
      Kck kck = Kck.start(second.system(), after);
      Entry<AugmentTest.Bag> read = Stages.await(kck.getEntry(after.key("k")));
      assertEquals(written.version(), read.version());
      assertEquals(written.value(), read.value());
      assertEquals(0, after.computes.get(), "replayed, not recomputed");
    } finally {
      second.shutdownTestKit();
    }
  }
}
