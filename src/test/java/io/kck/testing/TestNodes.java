package io.kck.testing;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * ActorSystems for tests: one-node clusters on a free loopback port, all on one embedded
 * PostgreSQL (started once per test JVM, in target/). Tests keep apart by primer names, not by
 * databases. The embedded server runs with fsync off here: these tests are about semantics, and
 * durability of the default configuration has its own test.
 */
public final class TestNodes {
  public static final String DATA_DIRECTORY = "target/kck-test-postgres";

  static {
    // Each test JVM starts from an empty database, unless a server still runs on it (a crashed
    // run's orphan, which KCK stops and reuses).
    java.nio.file.Path directory = java.nio.file.Path.of(DATA_DIRECTORY);
    if (!java.nio.file.Files.exists(directory.resolve("postmaster.pid"))) {
      deleteRecursively(directory.toFile());
    }
  }

  private TestNodes() {}

  private static void deleteRecursively(java.io.File file) {
    java.io.File[] children = file.listFiles();
    if (children != null) {
      for (java.io.File child : children) {
        deleteRecursively(child);
      }
    }
    file.delete();
  }

  public static Config config(String extra) {
    return ConfigFactory.parseString(extra)
        .withFallback(
            ConfigFactory.parseString(
                """
                akka.loglevel = WARNING
                akka.loggers = ["akka.event.slf4j.Slf4jLogger"]
                akka.logging-filter = "akka.event.slf4j.Slf4jLoggingFilter"
                akka.actor.provider = cluster
                akka.remote.artery.canonical.hostname = "127.0.0.1"
                akka.remote.artery.canonical.port = 0
                akka.cluster.jmx.multi-mbeans-in-same-jvm = on
                akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                akka.actor.serialize-messages = on
                kck.database.embedded.data-directory = "%s"
                kck.database.embedded.durable = off
                kck.database.embedded.stop-with-system = off
                """
                    .formatted(DATA_DIRECTORY)));
  }

  public static Config config() {
    return config("");
  }

  /** With Akka's manual clock: timers (timeouts, backoff, passivation) fire only when told. */
  public static Config manualTimeConfig(String extra) {
    // The journal's circuit breakers, its replay timeout and the facade's ask timeout run on the
    // same clock: a jump of minutes would fail whatever is in flight, so they wait (almost) forever.
    return config(extra)
        .withFallback(ConfigFactory.parseString(
            """
            kck.request-timeout = 100d
            kck.journal.circuit-breaker.call-timeout = 100d
            kck.journal.recovery-event-timeout = 100d
            kck.snapshot-store.circuit-breaker.call-timeout = 100d
            """))
        .withFallback(ManualTime.config());
  }

  /**
   * Shuts down a system on manual time: leaving the cluster waits on timers, so the clock moves
   * on until the system has terminated.
   */
  public static void shutdown(ActorTestKit testKit, TestClock clock) {
    Thread ticker = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        clock.timePasses(java.time.Duration.ofMillis(200));
        try {
          testKit.system().getWhenTerminated().toCompletableFuture()
              .get(20, java.util.concurrent.TimeUnit.MILLISECONDS);
          return;
        } catch (java.util.concurrent.TimeoutException e) {
          // not yet: move the clock on
        } catch (Exception e) {
          return;
        }
      }
    }, "manual-time-ticker");
    ticker.setDaemon(true);
    ticker.start();
    testKit.shutdownTestKit();
  }

  /**
   * On manual time the cluster and sharding start on timers too: moves the clock on until {@code
   * key} answers, and returns its answer.
   */
  public static Object warmUp(ActorTestKit testKit, TestClock clock, io.kck.Kck kck, String key) {
    java.util.concurrent.CompletableFuture<Object> first = kck.get(key).toCompletableFuture();
    Eventually.until(key + " to answer on a node started on manual time", java.time.Duration.ofSeconds(60), () -> {
      clock.timePasses(java.time.Duration.ofMillis(500));
      return first.isDone();
    }, done -> done);
    return Stages.await(first);
  }

  /**
   * A database of its own on the shared embedded server, created empty (dropped first if an
   * earlier run left it): the configuration line that points KCK's journal at it. For tests whose
   * outcome must not depend on what other tests left in the shared journal (warm keys, edges).
   */
  public static String ownDatabase(String name) {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain PostgreSQL database name: " + name);
    }
    io.kck.persistence.KckDatabaseProvider.DatabaseSettings shared =
        io.kck.persistence.KckDatabaseProvider.DatabaseSettings.from(ConfigFactory.load(config()));
    try (java.sql.Connection connection =
            java.sql.DriverManager.getConnection(shared.jdbcUrl(), shared.user(), shared.password());
        java.sql.Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      statement.execute("CREATE DATABASE " + name);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("Cannot create the test database " + name, e);
    }
    String url = shared.jdbcUrl().replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    return "kck.database.url = \"" + url + "\"\nkck.database.user = \"" + shared.user() + "\"\n"
        + "kck.database.password = \"" + shared.password() + "\"\n";
  }

  public static ActorTestKit start(String name, Config config) {
    return ActorTestKit.create(name, config);
  }
}
