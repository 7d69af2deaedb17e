package io.kck.persistence;

import akka.actor.ActorSystem;
import akka.persistence.jdbc.db.DefaultSlickDatabaseProvider;
import akka.persistence.jdbc.db.LazySlickDatabase;
import akka.persistence.jdbc.db.SlickDatabase;
import akka.persistence.jdbc.db.SlickDatabaseProvider;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;

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
   * Stops the embedded PostgreSQL that {@code config} names ({@code kck.database.url} empty), if this
   * JVM started it; returns whether it did. Otherwise it runs until the JVM exits. For a container
   * that stops KCK and lives on (a Spring context closing, a test): call it once the ActorSystem has
   * terminated and no other ActorSystem of this JVM uses that data directory.
   */
  public static boolean stopEmbedded(Config config) {
    Config database = config.getConfig("kck.database");
    if (!database.getString("url").isBlank()) {
      return false;
    }
    return EmbeddedPostgresServer.stop(Path.of(database.getString("embedded.data-directory")));
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
    public static java.util.Optional<DatabaseSettings> embeddedReader(Config config) {
      Config database = config.getConfig("kck.database");
      if (!database.getString("url").isBlank()) {
        return java.util.Optional.empty();
      }
      Config embedded = database.getConfig("embedded");
      return java.util.Optional.of(EmbeddedPostgresServer.reader(
          Path.of(embedded.getString("data-directory")), embedded.getBoolean("durable"), embedded.getDuration("startup-timeout")));
    }

    /** No password in logs or exception messages. */
    @Override
    public String toString() {
      return "DatabaseSettings[" + jdbcUrl + ", user " + user + "]";
    }
  }
}
