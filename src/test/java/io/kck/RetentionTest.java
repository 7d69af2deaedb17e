package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.KillSwitches;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.entity.KeyCommand;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.GraphPrimer;
import io.kck.testing.KeyStatuses;
import io.kck.testing.LiveKeys;
import io.kck.testing.ShiftedClock;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store forgets keys nobody wants (kck.retention, 30 days by default) and keeps the others:
 * keys other keys read, warm keys, keys with subscribers or otherwise running, keys read within
 * the retention, and keys holding data only the application gave. KCK's clock is moved a month
 * ahead by hand; the sweeps are asked for, not waited for.
 */
class RetentionTest {
  private final ShiftedClock clock = new ShiftedClock();
  private final CountingPrimer sales = new CountingPrimer("ret-sales").body((key, count) -> "sales of " + key.get(CountingPrimer.ID)
      + (key.get(CountingPrimer.ID).equals("snapshotted") ? " #" + count : "")); // each of its recomputes a new version
  private final GraphPrimer report = new GraphPrimer("ret-report", (id, context) -> "report on " + context.get("ret-sales/input"));
  private String database;
  private ActorTestKit testKit;
  private Kck kck;

  @BeforeEach
  void start() {
    database = TestNodes.ownDatabase("retention");
    // Snapshots every 10 events, so that one key's forgetting lands on a snapshot.
    testKit = TestNodes.start("RetentionTest", TestNodes.config(database + "\nkck.entity.snapshot-every = 10"));
    kck = Kck.builder(testKit.system()).clock(clock).primers(sales, report).start();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void keysNobodyWantsLeaveNoRowsAndComputeAgainWhileWantedOnesStay() throws Exception {
    Stages.await(kck.get("ret-sales/old"));
    // Eight recomputes, each a new version: the Forgotten event is the tenth, where the key snapshots.
    Stages.await(kck.get("ret-sales/snapshotted"));
    for (int i = 0; i < 8; i++) {
      Stages.await(kck.refresh("ret-sales/snapshotted"));
    }
    long snapshottedVersion = Stages.await(kck.getEntry("ret-sales/snapshotted")).version();
    Stages.await(kck.put("ret-sales/given", "only the application knows this"));
    Stages.await(kck.keepWarm("ret-sales/warm"));
    Stages.await(kck.get("ret-sales/warm"));
    Stages.await(kck.get("ret-sales/recent"));
    Stages.await(kck.get("ret-report/r")); // reads ret-sales/input: an edge
    List<String> idle = List.of("ret-sales/old", "ret-sales/snapshotted", "ret-sales/given", "ret-sales/recent",
        "ret-sales/input", "ret-report/r");
    passivate(idle);

    clock.timePasses(Duration.ofDays(25));
    Stages.await(kck.get("ret-sales/recent")); // read again within the retention: a use is journaled
    passivate(List.of("ret-sales/recent"));
    clock.timePasses(Duration.ofDays(6));
    // A subscriber keeps the report running through the first sweep (and with it the edge to its input).
    UniqueKillSwitch subscription = kck.updates("ret-report/r")
        .viaMat(KillSwitches.single(), Keep.right()).to(Sink.ignore()).run(testKit.system());
    Eventually.until("the subscribed report to run", () -> LiveKeys.of(testKit), live -> live.contains("ret-report/r"));

    ForgetReport first = Stages.await(kck.admin().forgetUnused());

    assertEquals(2, first.forgotten(), "old and snapshotted: " + first);
    assertEquals(0, first.failed(), first.toString());
    assertEquals(0, rows("ret-sales/old"), "a forgotten key has no row");
    assertEquals(0, rows("ret-sales/snapshotted"), "no row, not even the snapshot Akka took of the forgetting");
    for (String kept : List.of("ret-sales/given", "ret-sales/warm", "ret-sales/recent", "ret-sales/input", "ret-report/r")) {
      assertTrue(rows(kept) > 0, kept + " is kept");
    }
    int computes = sales.computes();
    Entry<Object> again = Stages.await(kck.getEntry("ret-sales/old"));
    assertEquals(computes + 1, sales.computes(), "a forgotten key computes on its next get");
    // A client may still hold a version of the forgotten value (an ETag): no other value takes it.
    assertTrue(again.version() > snapshottedVersion, "a forgotten key's next value numbers above every version its"
        + " primer forgot (" + snapshottedVersion + "): " + again);
    Entry<Object> newKey = Stages.await(kck.getEntry("ret-sales/never-seen"));
    assertTrue(newKey.version() > snapshottedVersion, "so does a key new to the primer: " + newKey);

    // Nobody subscribes to or reads the report any more: it goes, then (its edge gone) its input.
    subscription.shutdown();
    // The subscription ends asynchronously: a watch it sent before its cancel may start the report
    // again after it was stopped (a loaded machine showed it), and a running key is in use. Once it
    // is idle a sweep forgets it, as the periodic sweep would: stop it and sweep until then.
    List<ForgetReport> sweeps = new java.util.ArrayList<>();
    Eventually.until("the report, no longer subscribed, to be forgotten", () -> {
      passivate(List.of("ret-report/r", "ret-sales/input"));
      sweeps.add(Stages.await(kck.admin().forgetUnused()));
      return rows("ret-report/r");
    }, rows -> rows == 0);
    ForgetReport second = new ForgetReport(sweeps.stream().mapToInt(ForgetReport::forgotten).sum(),
        sweeps.get(sweeps.size() - 1).kept(), sweeps.stream().mapToInt(ForgetReport::failed).sum());
    Eventually.until("the input to drop the forgotten report from its dependents",
        () -> Stages.await(kck.admin().inspect(kck.key("ret-sales/input"))).dependents(), java.util.Set::isEmpty);
    passivate(List.of("ret-sales/input"));
    ForgetReport third = Stages.await(kck.admin().forgetUnused());
    assertEquals(2, second.forgotten() + third.forgotten(), "the report and its input: " + second + ", " + third);
    assertEquals(0, rows("ret-sales/input"));
    for (String kept : List.of("ret-sales/given", "ret-sales/warm", "ret-sales/recent")) {
      assertTrue(rows(kept) > 0, kept + " is still kept");
    }
  }

  /**
   * Stops the actors of {@code keys} (as idle passivation would), so that a sweep finds them not
   * running; again while one runs, since a late message (a subscriber's last watch, a dependent's
   * check) may start it again.
   */
  private void passivate(List<String> keys) {
    Eventually.until(keys + " to stop", () -> {
      java.util.Set<String> live = LiveKeys.of(testKit);
      keys.stream().filter(live::contains)
          .forEach(key -> KeyStatuses.entity(testKit.system(), key).tell(KeyCommand.Passivate.INSTANCE));
      return live;
    }, live -> keys.stream().noneMatch(live::contains));
  }

  /** The key's rows in the journal and the snapshot store. */
  private int rows(String key) throws Exception {
    Config settings = ConfigFactory.parseString(database);
    try (Connection connection = DriverManager.getConnection(settings.getString("kck.database.url"),
            settings.getString("kck.database.user"), settings.getString("kck.database.password"));
        PreparedStatement statement = connection.prepareStatement(
            "SELECT (SELECT count(*) FROM event_journal WHERE persistence_id = ?)"
                + " + (SELECT count(*) FROM snapshot WHERE persistence_id = ?)")) {
      statement.setString(1, "kck-key|" + key);
      statement.setString(2, "kck-key|" + key);
      try (ResultSet result = statement.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    }
  }
}
