package io.kck;

import com.typesafe.config.Config;
import io.kck.entity.node.OwnDatabase;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * KCK's own PostgreSQL ({@code kck.database}), for an application that keeps tables there, such as
 * the source tables of its primers (docs/sources.md): they must exist before {@link Kck#start}.
 */
public final class KckDatabase {
  private KckDatabase() {}

  /**
   * A new JDBC connection to KCK's database as KCK's role: the embedded server (started now if it
   * is not running; {@code Kck.start} then uses the same one) or the one {@code kck.database.url}
   * names. The caller closes it. Safe from any thread.
   *
   * @param config the configuration KCK starts with (the ActorSystem's)
   * @throws SQLException when the database refuses the connection
   * @throws IllegalStateException when the embedded server cannot start
   */
  public static Connection connect(Config config) throws SQLException {
    return OwnDatabase.connect(config);
  }
}
