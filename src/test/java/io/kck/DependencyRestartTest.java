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
      // Starting, the dependent asks its input whether it moved on; its first get waits for the
      // answer, and for the recompute it brings.
      assertEquals("2 eager", Stages.await(kck.get("restart-eager/lost")), "the first get after the start");
      assertEquals(1, after.get(1).computes());
      assertTrue(KeyStatuses.of(kck, "restart-source/lost").dependents().contains("restart-eager/lost"),
          "the lost edge is back");
    } finally {
      second.shutdownTestKit();
    }
  }

  @Test
  void anInputThatStartsAnnouncesARecentVersionALiveDependentMissed() {
    // Two single-node clusters on one database, one after the other: the second writes a new
    // version of the input, whose notification cannot reach the first's live dependent, as if
    // the input's node had crashed between its write and its tell.
    ActorTestKit dependentNode = TestNodes.start("DependencyReannounceA", TestNodes.config());
    List<GraphPrimer> here = primers();
    try {
      Kck kck = Kck.start(dependentNode.system(), here);
      Stages.await(kck.put("restart-source/missed", "1"));
      assertEquals("1 eager", Stages.await(kck.get("restart-eager/missed")));
      KeyStatuses.entity(dependentNode.system(), "restart-source/missed").tell(KeyCommand.Passivate.INSTANCE);
      Eventually.until("restart-source/missed to passivate", () -> LiveKeys.of(dependentNode),
          live -> !live.contains("restart-source/missed"));

      ActorTestKit writerNode = TestNodes.start("DependencyReannounceB", TestNodes.config());
      try {
        Stages.await(Kck.start(writerNode.system(), primers()).put("restart-source/missed", "2"));
      } finally {
        writerNode.shutdownTestKit();
      }
      assertEquals("1 eager", Stages.await(kck.get("restart-eager/missed")), "the live dependent missed it");

      // The input starts again here (any request does), sees a version written a moment ago, and
      // announces it again: the dependent catches up without being asked.
      Stages.await(kck.admin().inspect(kck.key("restart-source/missed")));
      Eventually.value(kck, "restart-eager/missed", "2 eager");
    } finally {
      dependentNode.shutdownTestKit();
    }
  }
}
