package io.kck.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import io.kck.Kck;
import io.kck.entity.ScheduledTicks;
import io.kck.entity.ScheduledTicks.TickDone;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.RefreshSchedule;
import io.kck.testing.Eventually;
import io.kck.testing.Shards;
import io.kck.testing.ShiftedClock;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A schedule in a cluster of two nodes (a tick every minute): each tick refreshes the warm key once
 * in the whole cluster, not once per node, and when the node that runs the schedules leaves, the
 * other takes over without running a tick twice or losing one.
 *
 * <p>The cluster runs on Akka's real timers (its gossip and failure detection need them), so time
 * is moved on KCK's clock alone: both nodes read one clock that the test sets forward to each tick,
 * then the schedules are told to look ({@link ScheduledTicks.Check}, what their own timer sends),
 * instead of waiting for real minutes to pass.
 */
class ScheduleClusterTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  /** Computes of the warm key on either node (each node has its own primer instance, as JVMs would). */
  static final AtomicInteger computes = new AtomicInteger();
  static final RefreshSchedule EVERY_MINUTE = RefreshSchedule.cron("* * * * *", ZoneOffset.UTC);

  static Kck node(ActorTestKit testKit, Clock clock) {
    return Kck.builder(testKit.system()).clock(clock).primers(Primer.builder("sched-cluster", String.class)
        .parameters(ID)
        .compute((key, context) -> "compute " + computes.incrementAndGet())
        .warmKey("a")
        .refreshSchedule(EVERY_MINUTE)
        .build()).start();
  }

  @Test
  void eachTickRunsOnceInTheClusterAndSurvivesTheLeavingOfItsNode() {
    String config = TestNodes.ownDatabase("schedule_cluster") + ClusterTest.TEST_PACE + """
        akka.cluster.min-nr-of-members = 1
        akka.actor.testkit.typed.system-shutdown-default = 60s
        """;
    ShiftedClock clock = new ShiftedClock();
    // A second past a tick: the next one is the test's to make, not the wall clock's during start-up.
    clock.setForward(EVERY_MINUTE.nextTickAfter(clock.instant()).orElseThrow().plusSeconds(1));
    ActorTestKit first = TestNodes.start("ScheduleClusterTest", TestNodes.config(config));
    node(first, clock);
    Address seed = Cluster.get(first.system()).selfMember().address();
    ActorTestKit second = TestNodes.start("ScheduleClusterTest",
        TestNodes.config(config + "kck.cluster.seed-nodes = \"" + seed + "\"\n"));
    boolean firstStopped = false;
    try {
      Kck secondKck = node(second, clock);
      Shards.awaitReady(List.of(first, second));
      Eventually.until("the warm key's first value", () -> computes.get(), count -> count == 1);

      TickDone baseline = ticks(second, done -> done.containsKey("sched-cluster")).get("sched-cluster");
      Instant firstTick = EVERY_MINUTE.nextTickAfter(Instant.ofEpochMilli(baseline.tickMillis())).orElseThrow();
      clock.setForward(firstTick);
      lookAtTheSchedules(second);
      TickDone ran = awaitTick(second, firstTick);
      assertTrue(ran.ran());
      // The count moves when a compute starts, the value when it is stored: wait for the value.
      Eventually.value(secondKck, "sched-cluster/a", "compute 2");

      first.shutdownTestKit(); // the oldest node, which ran the schedules: they move to the other
      firstStopped = true;
      Instant secondTick = firstTick.plus(Duration.ofMinutes(1));
      ticks(second, done -> done.containsKey("sched-cluster")); // the schedules run on the second node now
      clock.setForward(secondTick);
      lookAtTheSchedules(second);
      awaitTick(second, secondTick);
      Eventually.value(secondKck, "sched-cluster/a", "compute 3");
      assertEquals(3, computes.get(), "one refresh per tick in the cluster: not one per node, none twice");
    } finally {
      second.shutdownTestKit();
      if (!firstStopped) {
        first.shutdownTestKit();
      }
    }
  }

  /** Sends the schedules what their timer sends: look at the clock and run the ticks that are due. */
  private static void lookAtTheSchedules(ActorTestKit node) {
    schedules(node).tell(ScheduledTicks.Check.INSTANCE);
  }

  /** Waits until {@code tick} is journaled as dealt with. */
  private static TickDone awaitTick(ActorTestKit node, Instant tick) {
    return ticks(node, done -> done.get("sched-cluster").tickMillis() >= tick.toEpochMilli()).get("sched-cluster");
  }

  private static Map<String, TickDone> ticks(ActorTestKit node, Predicate<Map<String, TickDone>> ready) {
    return Eventually.until("the schedules' ticks", Duration.ofSeconds(30),
        () -> Stages.await(AskPattern.<ScheduledTicks.Command, ScheduledTicks.Ticks>ask(schedules(node),
            ScheduledTicks.Describe::new, Duration.ofSeconds(5), node.system().scheduler()), Duration.ofSeconds(10)).done(),
        ready);
  }

  /** The proxy to the schedules' singleton, wherever it runs. */
  private static ActorRef<ScheduledTicks.Command> schedules(ActorTestKit node) {
    return ClusterSingleton.get(node.system())
        .init(SingletonActor.of(Behaviors.<ScheduledTicks.Command>empty(), "kck-schedules"));
  }
}
