package io.kck.entity.source;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What KCK needs of the database whose tables are sources, checked and made over plain JDBC: the
 * server's {@code wal_level}, the role's {@code REPLICATION} attribute, each table's existence and
 * {@code REPLICA IDENTITY FULL}, KCK's publication (its table list set to the declared tables) and
 * KCK's replication slot; and dropping both once no source is declared.
 */
public final class SourceDatabase {
  private static final Logger log = LoggerFactory.getLogger(SourceDatabase.class);

  private final SourceSettings settings;

  public SourceDatabase(SourceSettings settings) {
    this.settings = settings;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(settings.url(), settings.user(), settings.password());
  }

  /** A connection in replication mode, for the change stream. */
  Connection replicationConnection() throws SQLException {
    Properties properties = new Properties();
    PGProperty.USER.set(properties, settings.user());
    PGProperty.PASSWORD.set(properties, settings.password());
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
    PGProperty.REPLICATION.set(properties, "database");
    PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
    return DriverManager.getConnection(settings.url(), properties);
  }

  /**
   * Checks the server, the role and {@code tables} (each {@code schema.table}), then makes KCK's
   * publication cover exactly those tables and creates KCK's slot when it is missing.
   *
   * @throws IllegalStateException naming each thing that is missing and how to set it
   */
  public void prepare(Set<String> tables) {
    try (Connection connection = connect()) {
      List<String> missing = new ArrayList<>();
      String walLevel = single(connection, "SHOW wal_level");
      if (!"logical".equals(walLevel)) {
        missing.add("the server's wal_level is '" + walLevel + "': set wal_level = logical in postgresql.conf"
            + " (ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL");
      }
      String role = single(connection, "SELECT current_user");
      String mayReplicate = single(connection, "SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user");
      if (!"true".equals(mayReplicate)) {
        missing.add("the role '" + role + "' may not replicate: ALTER ROLE " + role + " WITH REPLICATION");
      }
      for (String table : tables) {
        String[] parts = table.split("\\.", 2);
        try (PreparedStatement statement = connection.prepareStatement(
            "SELECT c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')")) {
          statement.setString(1, parts[0]);
          statement.setString(2, parts[1]);
          try (ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
              missing.add("the source table " + table + " does not exist");
            } else if (!"f".equals(rows.getString(1))) {
              missing.add("the source table " + table + " does not send whole old rows with its updates and deletes"
                  + " (an update that moves a row between keys must reach both): ALTER TABLE " + table
                  + " REPLICA IDENTITY FULL");
            }
          }
        }
      }
      if (!missing.isEmpty()) {
        throw new IllegalStateException("KCK cannot follow the source tables " + tables + " in " + settings.url()
            + " by logical replication: " + String.join("; ", missing) + " (docs/sources.md)");
      }
      publication(connection, tables);
      slot(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("KCK cannot prepare logical replication of the source tables " + tables + " in "
          + settings.url() + " (publication '" + settings.publication() + "', slot '" + settings.slot() + "'): "
          + e.getMessage() + " (docs/sources.md)", e);
    }
  }

  private void publication(Connection connection, Set<String> tables) throws SQLException {
    Set<String> published = new TreeSet<>();
    boolean exists;
    try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
      statement.setString(1, settings.publication());
      try (ResultSet rows = statement.executeQuery()) {
        exists = rows.next();
      }
    }
    if (exists) {
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
        statement.setString(1, settings.publication());
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            published.add(rows.getString(1));
          }
        }
      }
    }
    String list = String.join(", ", tables);
    try (Statement statement = connection.createStatement()) {
      if (!exists) {
        statement.execute("CREATE PUBLICATION " + quoted(settings.publication()) + " FOR TABLE " + list
            + " WITH (publish = 'insert, update, delete')");
        log.info("Created the publication '{}' of the source tables {}", settings.publication(), tables);
      } else if (!published.equals(new TreeSet<>(tables))) {
        statement.execute("ALTER PUBLICATION " + quoted(settings.publication()) + " SET TABLE " + list);
        log.info("The publication '{}' now covers the source tables {} (was {})", settings.publication(), tables, published);
      }
    }
  }

  private void slot(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT plugin FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, settings.slot());
      try (ResultSet rows = statement.executeQuery()) {
        if (rows.next()) {
          if (!"pgoutput".equals(rows.getString(1))) {
            throw new SQLException("the replication slot '" + settings.slot() + "' exists with plugin '"
                + rows.getString(1) + "', not pgoutput: drop it, or set kck.sources.slot to another name");
          }
          return;
        }
      }
    }
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
      statement.setString(1, settings.slot());
      statement.execute();
    }
    log.info("Created the logical replication slot '{}': from now on it keeps PostgreSQL's WAL until KCK has"
        + " applied the changes of the source tables (drop it with kck.admin().dropUnusedSources() once no"
        + " primer declares a source)", settings.slot());
  }

  /**
   * Drops KCK's slot and publication when they exist: what no source uses holds WAL back. Answers what
   * it dropped.
   */
  public List<String> dropSlotAndPublication() {
    List<String> dropped = new ArrayList<>();
    try (Connection connection = connect()) {
      try (PreparedStatement statement = connection.prepareStatement(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
        statement.setString(1, settings.slot());
        try (ResultSet rows = statement.executeQuery()) {
          if (rows.next()) {
            dropped.add("slot " + settings.slot());
          }
        }
      }
      try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
        statement.setString(1, settings.publication());
        try (ResultSet rows = statement.executeQuery()) {
          if (rows.next()) {
            try (Statement drop = connection.createStatement()) {
              drop.execute("DROP PUBLICATION " + quoted(settings.publication()));
            }
            dropped.add("publication " + settings.publication());
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("KCK cannot drop its replication slot '" + settings.slot() + "' and publication '"
          + settings.publication() + "' in " + settings.url() + ": " + e.getMessage(), e);
    }
    if (!dropped.isEmpty()) {
      log.info("Dropped KCK's {}: no primer declares a source", dropped);
    }
    return dropped;
  }

  /** The slot's lag: WAL bytes the server keeps for it past what KCK confirmed; -1 when there is no slot. */
  long lagBytes() throws SQLException {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) FROM pg_replication_slots"
                + " WHERE slot_name = ?")) {
      statement.setString(1, settings.slot());
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getLong(1) : -1;
      }
    }
  }

  /**
   * Ends the server processes other than this connection's that hold KCK's slot; answers their ids.
   * The role needs to be the one those processes run as (KCK's), or to have {@code pg_signal_backend}.
   */
  List<Integer> endOtherReaders() throws SQLException {
    List<Integer> ended = new ArrayList<>();
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT active_pid, pg_terminate_backend(active_pid) FROM pg_replication_slots"
                + " WHERE slot_name = ? AND active AND active_pid <> pg_backend_pid()")) {
      statement.setString(1, settings.slot());
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          if (rows.getBoolean(2)) {
            ended.add(rows.getInt(1));
          }
        }
      }
    }
    return ended;
  }

  private static String single(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  static String quoted(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
