package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.Kck;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Nodes that start at the same moment on an empty database all start: KCK creates its tables
 * under an advisory lock, one node after the other (without it, two sessions that both find a
 * table missing collide in PostgreSQL's catalog and one node's start fails).
 */
class SchemaCreationTest {
  private static final Primer<String> ECHO = Primer.builder("schema-race", String.class)
      .parameters(Parameter.ofString("id")).compute((key, context) -> key.text()).build();

  @Test
  void nodesStartingTogetherOnAnEmptyDatabaseAllStart() throws Exception {
    String database = TestNodes.ownDatabase("schema_race");
    int nodes = 4;
    List<ActorTestKit> started = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      started.add(TestNodes.start("SchemaRace" + i, TestNodes.config(database)));
    }
    try {
      CountDownLatch ready = new CountDownLatch(nodes);
      List<CompletableFuture<String>> answers = new ArrayList<>();
      for (ActorTestKit node : started) {
        answers.add(CompletableFuture.supplyAsync(() -> {
          ready.countDown();
          try {
            ready.await(30, TimeUnit.SECONDS); // every thread starts KCK at once
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          Kck kck = Kck.start(node.system(), ECHO);
          return (String) Stages.await(kck.get("schema-race/" + node.system().name()));
        }, task -> new Thread(task).start()));
      }
      for (int i = 0; i < nodes; i++) {
        assertEquals("schema-race/SchemaRace" + i, answers.get(i).get(2, TimeUnit.MINUTES));
      }
    } finally {
      started.forEach(ActorTestKit::shutdownTestKit);
    }
  }
}
