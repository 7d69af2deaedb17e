package io.kck.entity.node;

import com.typesafe.config.Config;
import io.kck.persistence.KckDatabaseProvider;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Connections to KCK's own database for the application ({@code io.kck.KckDatabase}). */
public final class OwnDatabase {
  private OwnDatabase() {}

  /** A new connection as KCK's role, starting the embedded server when that is the database and it is not running. */
  public static Connection connect(Config config) throws SQLException {
    KckDatabaseProvider.DatabaseSettings database = KckDatabaseProvider.DatabaseSettings.from(config);
    return DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
  }
}
