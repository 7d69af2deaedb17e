package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.entity.KeyCommand;
import io.kck.primer.Propagation;
import io.kck.testing.GraphPrimer;
import io.kck.testing.KeyStatuses;
import io.kck.testing.LiveKeys;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Edges are persisted: after a restart, an update of an upstream key reaches dependents that are
 * not even loaded, through sharding.
 */
class DependencyRestartTest {

  static List<GraphPrimer> primers() {
    GraphPrimer source = new GraphPrimer("restart-source", (id, context) -> "0");
    return List.of(
        source,
        new GraphPrimer("restart-eager", (id, context) -> context.get(source.key(id)) + " eager"),
        new GraphPrimer("restart-lazy", Propagation.LAZY, (id, context) -> context.get(source.key(id)) + " lazy"));
  }

  @Test
  void anUpdateAfterARestartStillReachesEagerAndLazyDependents() {
    ActorTestKit first = TestNodes.start("DependencyRestartBefore", TestNodes.config());
    try {
      Kck kck = Kck.start(first.system(), primers());
      Stages.await(kck.put("restart-source/r", "1"));
      assertEquals("1 eager", Stages.await(kck.get("restart-eager/r")));
      assertEquals("1 lazy", Stages.await(kck.get("restart-lazy/r")));
    } finally {
      first.shutdownTestKit();
    }

    List<GraphPrimer> after = primers();
    ActorTestKit second = TestNodes.start("DependencyRestartAfter", TestNodes.config());
    try {
      Kck kck = Kck.start(second.system(), after);
      Stages.await(kck.put("restart-source/r", "2"));
      // Neither dependent was loaded on this node; the update wakes them through sharding.
      // The eager one's recompute counts as it starts; until it is stored, a get answers the old value.
      Eventually.status(kck, "restart-eager/r", "to store its recompute, with no get", status -> status.version() == 2);
      Eventually.status(kck, "restart-lazy/r", "to be outdated, with no get", status -> status.outdated());
      assertEquals(1, after.get(1).computes(), "the eager dependent recomputed once");
      assertEquals(0, after.get(2).computes(), "lazy: not computed until asked");
      assertEquals("2 eager", Stages.await(kck.get("restart-eager/r")));
      assertEquals("2 lazy", Stages.await(kck.get("restart-lazy/r")));
      assertTrue(LiveKeys.of(second).contains("restart-lazy/r"));
    } finally {
      second.shutdownTestKit();
    }
  }

  @Test
  void aDependentThatMissedAnUpdateCatchesUpWhenItStartsAgain() {
    ActorTestKit first = TestNodes.start("DependencyCatchUpBefore", TestNodes.config());
    try {
      Kck kck = Kck.start(first.system(), primers());
      Stages.await(kck.put("restart-source/lost", "1"));
      assertEquals("1 eager", Stages.await(kck.get("restart-eager/lost")));
      // The notification of the next update is lost: as if the dependent's node had crashed
      // (here: the edge is dropped, so the source tells nobody).
      KeyStatuses.entity(first.system(), "restart-source/lost").tell(new KeyCommand.DependentGone("restart-eager/lost"));
      Eventually.status(kck, "restart-source/lost", "to lose its dependent", status -> status.dependents().isEmpty());
      Stages.await(kck.put("restart-source/lost", "2"));
    } finally {
      first.shutdownTestKit();
    }

    List<GraphPrimer> after = primers();
    ActorTestKit second = TestNodes.start("DependencyCatchUpAfter", TestNodes.config());
    try {
      Kck kck = Kck.start(second.system(), after);
      // Starting, the dependent asks its input whether it moved on, and catches up by itself.
      Stages.await(kck.get("restart-eager/lost"));
      Eventually.value(kck, "restart-eager/lost", "2 eager");
      assertEquals(1, after.get(1).computes());
      assertTrue(KeyStatuses.of(kck, "restart-source/lost").dependents().contains("restart-eager/lost"),
          "the lost edge is back");
    } finally {
      second.shutdownTestKit();
    }
  }
}
