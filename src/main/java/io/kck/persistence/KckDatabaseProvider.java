package io.kck.persistence;

import akka.Done;
import akka.actor.ActorSystem;
import akka.actor.CoordinatedShutdown;
import akka.persistence.jdbc.db.DefaultSlickDatabaseProvider;
import akka.persistence.jdbc.db.LazySlickDatabase;
import akka.persistence.jdbc.db.SlickDatabase;
import akka.persistence.jdbc.db.SlickDatabaseProvider;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Akka Persistence JDBC's database provider with KCK's database in it. The journal and snapshot
 * store of the key entities ask for the shared database {@code "kck"}; this provider builds it
 * from {@code kck.database}: the external PostgreSQL named by {@code url}, or, when the url is
 * empty, the embedded PostgreSQL of {@code kck.database.embedded.data-directory}, started on first
 * use. Every other request goes to Akka Persistence JDBC's default provider, so an application's
 * own JDBC journals are unaffected.
 *
 * <p>Created once per ActorSystem by Akka Persistence JDBC (configured in KCK's {@code
 * reference.conf}); thread-safe.
 */
public final class KckDatabaseProvider implements SlickDatabaseProvider {
  static final String SHARED_DATABASE = "kck";

  private final ActorSystem system;
  private final DefaultSlickDatabaseProvider others;
  private SlickDatabase kckDatabase;

  public KckDatabaseProvider(ActorSystem system) {
    this.system = system;
    this.others = new DefaultSlickDatabaseProvider(system);
  }

  @Override
  public SlickDatabase database(Config pluginConfig) {
    if (pluginConfig.hasPath("use-shared-db")
        && SHARED_DATABASE.equals(pluginConfig.getString("use-shared-db"))) {
      return kckDatabase();
    }
    return others.database(pluginConfig);
  }

  private synchronized SlickDatabase kckDatabase() {
    if (kckDatabase == null) {
      Config config = system.settings().config();
      DatabaseSettings settings = DatabaseSettings.from(config);
      Config slick =
          config.getConfig("akka-persistence-jdbc.shared-databases." + SHARED_DATABASE)
              .withValue("db.url", ConfigValueFactory.fromAnyRef(settings.jdbcUrl()))
              .withValue("db.user", ConfigValueFactory.fromAnyRef(settings.user()))
              .withValue("db.password", ConfigValueFactory.fromAnyRef(settings.password()));
      kckDatabase = new LazySlickDatabase(slick, system);
    }
    return kckDatabase;
  }

  /**
   * With the embedded server and {@code kck.database.embedded.stop-with-system} on: the server stops
   * when {@code system} terminates, once no other ActorSystem of this JVM that started KCK on the
   * same data directory runs. Coordinated shutdown stops it, after the keys have been handed off
   * and before the system terminates, so that once {@code getWhenTerminated()} completes it has
   * stopped. Nothing for a database of the application's own ({@code kck.database.url}).
   */
  public static void stopWithSystem(ActorSystem system) {
    Config database = system.settings().config().getConfig("kck.database");
    if (!database.getString("url").isBlank() || !database.getBoolean("embedded.stop-with-system")) {
      return;
    }
    Path directory = Path.of(database.getString("embedded.data-directory"));
    EmbeddedPostgresServer.use(directory);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "kck-embedded-postgres", () -> CompletableFuture.supplyAsync(() -> {
          EmbeddedPostgresServer.release(directory);
          return Done.getInstance();
        }, task -> new Thread(task, "kck-embedded-postgres-stop").start())); // it waits for the server: not on a pool
  }

  /**
   * Where KCK's data lives, as {@code kck.database} says (starting the embedded server when that is
   * where), and who KCK connects as.
   */
  public record DatabaseSettings(String jdbcUrl, String user, String password) {
    public static DatabaseSettings from(Config config) {
      Config database = config.getConfig("kck.database");
      String url = database.getString("url");
      if (!url.isBlank()) {
        return new DatabaseSettings(url, database.getString("user"), database.getString("password"));
      }
      Config embedded = database.getConfig("embedded");
      return EmbeddedPostgresServer.owner(
          Path.of(embedded.getString("data-directory")), embedded.getBoolean("durable"), embedded.getDuration("startup-timeout"));
    }

    /**
     * The embedded server's read-only role (starting the server if needed), for SQL primers that
     * query KCK's own database; empty when KCK's database is external, whose read-only
     * credentials only its operator can give.
     */
    public static Optional<DatabaseSettings> embeddedReader(Config config) {
      Config database = config.getConfig("kck.database");
      if (!database.getString("url").isBlank()) {
        return Optional.empty();
      }
      Config embedded = database.getConfig("embedded");
      return Optional.of(EmbeddedPostgresServer.reader(
          Path.of(embedded.getString("data-directory")), embedded.getBoolean("durable"), embedded.getDuration("startup-timeout")));
    }

    /**
     * Lets the embedded server's read-only role {@code SELECT} from {@code tables} ({@code
     * schema.table}, lower case, as {@code io.kck.primer.TableSource} names them), and from no
     * other table: what an SQL primer that queries KCK's embedded database declared it reads. The
     * role's grants are dropped at every start of the server; each primer gives its own again.
     * Nothing when KCK's database is external, whose roles only its operator manages.
     *
     * @throws SQLException when a table does not exist, or the server cannot be reached
     */
    public static void grantEmbeddedReads(Config config, List<String> tables) throws SQLException {
      Config database = config.getConfig("kck.database");
      if (!database.getString("url").isBlank() || tables.isEmpty()) {
        return;
      }
      Config embedded = database.getConfig("embedded");
      EmbeddedPostgresServer.grantReads(Path.of(embedded.getString("data-directory")), embedded.getBoolean("durable"),
          embedded.getDuration("startup-timeout"), tables);
    }

    /** No password in logs or exception messages. */
    @Override
    public String toString() {
      return "DatabaseSettings[" + jdbcUrl + ", user " + user + "]";
    }
  }
}
