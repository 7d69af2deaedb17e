package io.kck.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.primer.Key;
import io.kck.testing.TestNodes;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** docs/getting-started.md's first application, run as the page tells it, then the operations page's calls. */
class FirstApplicationTest {

  @Test
  void theFirstApplicationComputesOnceAndThenHits() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "shop", TestNodes.config());
    try {
      Kck kck = FirstApplication.startAndRead(system);
      @SuppressWarnings("unchecked")
      Key<DaySales> key = (Key<DaySales>) kck.key("register-sales/7/2026-11-02");
      Entry<DaySales> entry = kck.blocking().getEntry(key);
      assertEquals(new DaySales(7, LocalDate.of(2026, 11, 2), 3, 8_750), entry.value());
      Entry<DaySales> again = kck.blocking().getEntry(key);
      assertEquals(entry.version(), again.version(), "a hit: no new version");
      assertEquals(entry.computedAt(), again.computedAt(), "a hit: no new compute");

      OperationsSnippets.admin(kck, key);
    } finally {
      OperationsSnippets.stop(system);
    }
    assertTrue(system.getWhenTerminated().toCompletableFuture().isDone(), "terminated");
  }
}
