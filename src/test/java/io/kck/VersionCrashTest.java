package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import io.kck.persistence.KckDatabaseProvider.DatabaseSettings;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.ChildJvm;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version names one value of a key, also across a crash: a node killed (SIGKILL) after a compute
 * finished and while its value, and a put, wait for the journal shows nobody that value, and after
 * the restart every version anyone saw still names the value they saw.
 *
 * <p>The crash is placed, not hoped for: the test holds a lock on the journal table that blocks
 * inserts, waits until PostgreSQL shows the node's two writes waiting for it, then kills the node.
 * Each compute makes a value never made before (a random UUID), so a version given to two values
 * would show.
 */
class VersionCrashTest {
  private static final Parameter<String> ID = Parameter.ofString("id");

  static Primer<String> randomPrimer() {
    return Primer.builder("crash-random", String.class).parameters(ID)
        .compute((key, context) -> UUID.randomUUID().toString()).build();
  }

  /**
   * The node to kill, in a JVM of its own: args[0] is a file with the database's configuration.
   * Prints {@code SEEN <key> <version> <value>} for every entry it is given or told of, and takes
   * {@code refresh <key>} and {@code put <key> <value>} on its input.
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "VersionCrashNode",
        TestNodes.config(Files.readString(Path.of(args[0]))).withFallback(ConfigFactory.load()));
    Kck kck = Kck.start(system, randomPrimer());
    java.util.function.Consumer<Entry<Object>> seen = entry -> {
      synchronized (out) {
        out.println("SEEN " + entry.key() + " " + entry.version() + " " + entry.value());
        out.flush();
      }
    };
    seen.accept(Stages.await(kck.getEntry("crash-random/a")));
    kck.subscribe("crash-random/a", seen);
    kck.subscribe("crash-random/b", seen);
    synchronized (out) {
      out.println("READY");
      out.flush();
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] words = line.split(" ");
      if (words[0].equals("refresh")) {
        kck.refreshEntry(words[1]).thenAccept(seen);
      } else if (words[0].equals("put")) {
        kck.put(words[1], words[2]).thenAccept(seen);
      }
    }
  }

  @Test
  void aVersionNamesOneValueAcrossAKillBetweenComputingAndJournaling(@TempDir Path directory) throws Exception {
    String database = TestNodes.ownDatabase("version_crash");
    Path conf = directory.resolve("node.conf");
    Files.writeString(conf, database);
    Map<String, String> seen = new ConcurrentHashMap<>(); // "key@version" -> value
    List<String> conflicts = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.function.BiConsumer<String, String> saw = (keyAtVersion, value) -> {
      String before = seen.putIfAbsent(keyAtVersion, value);
      if (before != null && !before.equals(value)) {
        conflicts.add(keyAtVersion + " named " + before + " and then " + value);
      }
    };

    long killedAfter;
    DatabaseSettings db = DatabaseSettings.from(ConfigFactory.load(TestNodes.config(database)));
    ChildJvm node = ChildJvm.start(VersionCrashTest.class, line -> {
      if (line.startsWith("SEEN ")) {
        String[] words = line.split(" ");
        saw.accept(words[1] + "@" + words[2], words[3]);
      }
    }, conf.toString());
    try (node; Connection lock = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      Eventually.until("the node to start and compute crash-random/a", Duration.ofSeconds(120), node::lines,
          output -> output.contains("READY"));
      assertTrue(seen.containsKey("crash-random/a@1"), "the first value is version 1: " + seen);

      lock.setAutoCommit(false);
      try (Statement statement = lock.createStatement()) {
        statement.execute("LOCK TABLE event_journal IN SHARE MODE"); // reads go on, inserts wait
      }
      try (PrintStream commands = new PrintStream(node.input(), true, StandardCharsets.UTF_8)) {
        long asked = System.nanoTime();
        commands.println("refresh crash-random/a"); // computes a new value, which waits for the journal
        try {
          // One at a time: two writes that reach the journal together share one INSERT (GroupCommit).
          Eventually.until("the refresh to wait for the journal's lock", () -> waitingInserts(lock), waiting -> waiting >= 1);
          commands.println("put crash-random/b given"); // a first value, numbered above the primer's floor
          Eventually.until("both writes to wait for the journal's lock", () -> waitingInserts(lock), waiting -> waiting >= 2);
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "; the node printed " + node.lines(), e);
        }
        node.kill(); // SIGKILL: no shutdown hook, no goodbye to the database
        killedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
      }
      lock.rollback(); // the dead node's waiting inserts go on, or are rolled back with its connection
    }
    assertFalse(seen.containsKey("crash-random/a@2"), "nobody saw a value the journal did not hold: " + node.lines());
    assertFalse(seen.containsKey("crash-random/b@1"), "nor the unacknowledged put: " + node.lines());

    ActorTestKit restarted = TestNodes.start("VersionCrashTestRestarted", TestNodes.config(database));
    try {
      Kck kck = Kck.start(restarted.system(), randomPrimer());
      Entry<Object> a = Stages.await(kck.getEntry("crash-random/a"));
      saw.accept("crash-random/a@" + a.version(), (String) a.value());
      Entry<Object> refreshed = Stages.await(kck.refreshEntry("crash-random/a"));
      saw.accept("crash-random/a@" + refreshed.version(), (String) refreshed.value());
      assertTrue(refreshed.version() > a.version(), a + " then " + refreshed);
      Entry<Object> b = Stages.await(kck.getEntry("crash-random/b"));
      saw.accept("crash-random/b@" + b.version(), (String) b.value());
      Entry<Object> bAgain = Stages.await(kck.put("crash-random/b", "again"));
      saw.accept("crash-random/b@" + bAgain.version(), (String) bAgain.value());
      assertTrue(bAgain.version() > b.version(), b + " then " + bAgain);
      System.out.printf("VersionCrashTest: killed %d ms after the writes were asked for; after the restart a is v%d"
          + " (%s), b is v%d (%s)%n", killedAfter, a.version(),
          a.version() == 1 ? "its refresh was lost" : "its refresh reached the journal", b.version(),
          "given".equals(b.value()) ? "the put reached the journal" : "the put was lost");
    } finally {
      restarted.shutdownTestKit();
    }
    assertEquals(List.of(), conflicts, "every version names one value: " + seen);
  }

  /** The backends waiting to write to the journal table (an insert takes its lock as it is parsed). */
  private static int waitingInserts(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
         ResultSet row = statement.executeQuery("SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
             + " WHERE NOT l.granted AND c.relname = 'event_journal' AND l.mode = 'RowExclusiveLock'")) {
      row.next();
      return row.getInt(1);
    }
  }
}
