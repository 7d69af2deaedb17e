package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Kck;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL stops with KCK (kck.database.embedded.stop-with-system, on by default):
 * when the last ActorSystem of the JVM that started KCK on its data directory has terminated, and
 * not before, so that an application that stops KCK and lives on leaves no server behind.
 */
class EmbeddedLifecycleTest {
  private static final Primer<String> ECHO = Primer.builder("lifecycle", String.class)
      .parameters(Parameter.ofString("id")).compute((key, context) -> key.text()).build();

  @Test
  void theServerStopsWhenTheLastActorSystemUsingItHasTerminated(@TempDir Path directory) throws Exception {
    Config config = TestNodes.config("kck.database.embedded.stop-with-system = on\n"
        + "kck.database.embedded.data-directory = \"" + directory.resolve("postgres") + "\"\n");
    ActorTestKit first = TestNodes.start("LifecycleFirst", config);
    ActorTestKit second = TestNodes.start("LifecycleSecond", config);
    Kck one = Kck.start(first.system(), ECHO);
    Kck two = Kck.start(second.system(), ECHO);
    Stages.await(one.get("lifecycle/a"));
    KckDatabaseProvider.DatabaseSettings database =
        KckDatabaseProvider.DatabaseSettings.from(ConfigFactory.load(config));

    first.shutdownTestKit(); // its coordinated shutdown has run: the other system still uses the server
    try (Connection connection = connect(database)) {
      assertEquals(true, connection.isValid(5));
    }
    assertEquals("lifecycle/b", Stages.await(two.get("lifecycle/b"), Duration.ofSeconds(30)));

    second.shutdownTestKit(); // the last one: the server stops before the system reports terminated
    assertThrows(SQLException.class, () -> connect(database).close(), "the embedded server has stopped");
  }

  private static Connection connect(KckDatabaseProvider.DatabaseSettings database) throws SQLException {
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }
}
