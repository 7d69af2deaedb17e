package io.kck.persistence;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A way, from other packages' tests and the benchmarks, to the embedded server they share with KCK
 * (for raw JDBC baselines and for looking at the journal): the one place that reads the password
 * KCK stored in the data directory.
 */
public final class EmbeddedAccess {
  private EmbeddedAccess() {}

  /** The JDBC URL of the server on {@code dataDirectory}, started as KCK would start it. */
  public static String jdbcUrl(String dataDirectory, boolean durable) {
    return EmbeddedPostgresServer.jdbcUrl(Path.of(dataDirectory), durable, Duration.ofMinutes(1));
  }

  /** KCK's own credentials for the server on {@code dataDirectory}, started as KCK would start it. */
  public static KckDatabaseProvider.DatabaseSettings owner(String dataDirectory, boolean durable) {
    return EmbeddedPostgresServer.owner(Path.of(dataDirectory), durable, Duration.ofMinutes(1));
  }

  /** A superuser connection to the server on {@code dataDirectory} (started, not durable, if it is not yet). */
  public static Connection connect(String dataDirectory) throws SQLException {
    KckDatabaseProvider.DatabaseSettings owner = owner(dataDirectory, false);
    return DriverManager.getConnection(owner.jdbcUrl(), owner.user(), owner.password());
  }

  /** A superuser connection to another database of the server on {@code dataDirectory}. */
  public static Connection connect(String dataDirectory, String url) throws SQLException {
    KckDatabaseProvider.DatabaseSettings owner = owner(dataDirectory, false);
    return DriverManager.getConnection(url, owner.user(), owner.password());
  }
}
