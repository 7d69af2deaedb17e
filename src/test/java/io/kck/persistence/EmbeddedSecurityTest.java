package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.testing.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The embedded PostgreSQL admits only KCK: a password per data directory, scram-sha-256, never trust. */
class EmbeddedSecurityTest {
  @Test
  void aConnectionWithoutThePasswordIsRefused() throws Exception {
    KckDatabaseProvider.DatabaseSettings owner = EmbeddedAccess.owner(TestNodes.DATA_DIRECTORY, false);
    // pgjdbc gives up by itself without a password, as the server asks for SCRAM...
    assertThrows(SQLException.class, () -> DriverManager.getConnection(owner.jdbcUrl(), "postgres", "").close());
    // ...and the server refuses a wrong one (28P01: invalid password).
    SQLException wrong = assertThrows(SQLException.class,
        () -> DriverManager.getConnection(owner.jdbcUrl(), "postgres", "postgres").close());
    assertEquals("28P01", wrong.getSQLState(), wrong.toString());
    assertThrows(SQLException.class, () -> DriverManager.getConnection(owner.jdbcUrl(), "kck_reader", "").close());
    try (Connection connection = DriverManager.getConnection(owner.jdbcUrl(), owner.user(), owner.password())) {
      assertTrue(connection.isValid(5));
    }
  }

  @Test
  void thePasswordsAreOwnerOnlyFilesAndNothingIsTrusted() throws Exception {
    EmbeddedAccess.owner(TestNodes.DATA_DIRECTORY, false);
    Path directory = Path.of(TestNodes.DATA_DIRECTORY);
    for (String file : new String[] {Secrets.SUPERUSER_FILE, Secrets.READER_FILE}) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve(file))), file);
    }
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
    String hba = Files.readString(directory.resolve("pg_hba.conf"));
    assertFalse(activeLines(hba).contains("trust"), hba);
    try (Connection connection = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY);
        Statement statement = connection.createStatement();
        ResultSet rules = statement.executeQuery("SELECT DISTINCT auth_method FROM pg_hba_file_rules")) {
      while (rules.next()) {
        assertEquals("scram-sha-256", rules.getString(1));
      }
    }
  }

  @Test
  void theReaderRoleReadsButCannotWriteNorRunPrograms() throws Exception {
    KckDatabaseProvider.DatabaseSettings reader = EmbeddedPostgresServer.reader(
        Path.of(TestNodes.DATA_DIRECTORY), false, java.time.Duration.ofMinutes(1));
    try (Connection owner = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY);
        Statement statement = owner.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS reader_test (n int)");
    }
    EmbeddedPostgresServer.grantReads(Path.of(TestNodes.DATA_DIRECTORY), false, java.time.Duration.ofMinutes(1),
        List.of("public.reader_test"));
    try (Connection connection = DriverManager.getConnection(reader.jdbcUrl(), reader.user(), reader.password());
        Statement statement = connection.createStatement()) {
      statement.executeQuery("SELECT count(*) FROM reader_test").close();
      SQLException write = assertThrows(SQLException.class, () -> statement.execute("INSERT INTO reader_test VALUES (1)"));
      assertTrue(write.getMessage().contains("read-only"), write.getMessage());
      assertThrows(SQLException.class, () -> statement.execute("SET default_transaction_read_only = off; DELETE FROM reader_test"));
      assertThrows(SQLException.class, () -> statement.execute("COPY (SELECT 1) TO PROGRAM 'true'"));
      assertThrows(SQLException.class, () -> statement.executeQuery("SELECT pg_read_file('postgresql.conf')"));
    }
  }

  /**
   * Least privilege: the reader reads the tables SQL primers name and nothing else (not the
   * journal, not pg_authid's password hashes), and creates nothing, even once it turns its
   * read-only default off.
   */
  @Test
  void theReaderRoleReadsOnlyGrantedTablesAndCreatesNothing() throws Exception {
    Path directory = Path.of(TestNodes.DATA_DIRECTORY);
    KckDatabaseProvider.DatabaseSettings reader = EmbeddedPostgresServer.reader(directory, false, Duration.ofMinutes(1));
    try (Connection owner = EmbeddedAccess.connect(TestNodes.DATA_DIRECTORY);
        Statement statement = owner.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS reader_allowed (n int)");
      statement.execute("CREATE TABLE IF NOT EXISTS reader_secret (n int)");
    }
    EmbeddedPostgresServer.grantReads(directory, false, Duration.ofMinutes(1), List.of("public.reader_allowed"));
    assertReaderIsLeastPrivileged(reader);
  }

  private static void assertReaderIsLeastPrivileged(KckDatabaseProvider.DatabaseSettings reader) throws SQLException {
    try (Connection connection = DriverManager.getConnection(reader.jdbcUrl(), reader.user(), reader.password());
        Statement statement = connection.createStatement()) {
      statement.executeQuery("SELECT count(*) FROM reader_allowed").close();
      assertDenied(statement, "SELECT count(*) FROM reader_secret");
      assertDenied(statement, "SELECT rolpassword FROM pg_authid");
      assertFalse(readable(statement, "pg_read_all_data"), "no pg_read_all_data");
      statement.execute("SET default_transaction_read_only = off");
      assertDenied(statement, "CREATE TABLE reader_made (n int)");
      assertDenied(statement, "CREATE TEMPORARY TABLE reader_temp (n int)");
      assertDenied(statement, "INSERT INTO reader_allowed VALUES (1)");
    }
  }

  private static void assertDenied(Statement statement, String sql) {
    SQLException denied = assertThrows(SQLException.class, () -> statement.execute(sql), sql);
    assertEquals("42501", denied.getSQLState(), sql + ": " + denied.getMessage()); // insufficient_privilege
  }

  private static boolean readable(Statement statement, String role) throws SQLException {
    try (ResultSet member = statement.executeQuery("SELECT pg_has_role(current_user, '" + role + "', 'MEMBER')")) {
      return member.next() && member.getBoolean(1);
    }
  }

  /**
   * A data directory of an older KCK, whose reader had pg_read_all_data and whose PUBLIC could
   * create in public: the next start takes both away.
   */
  @Test
  void anOlderDataDirectoryLosesTheReadersBroadRightsAtItsNextStart() throws Exception {
    Path directory = Path.of("target/kck-test-postgres-reader-upgrade");
    deleteRecursively(directory);
    KckDatabaseProvider.DatabaseSettings owner = EmbeddedAccess.owner(directory.toString(), false);
    try (Connection connection = DriverManager.getConnection(owner.jdbcUrl(), owner.user(), owner.password());
        Statement statement = connection.createStatement()) {
      // What an older KCK left: the reader reads everything, anyone creates in public.
      statement.execute("GRANT pg_read_all_data TO kck_reader");
      statement.execute("GRANT CREATE ON SCHEMA public TO PUBLIC");
      statement.execute("GRANT TEMPORARY ON DATABASE postgres TO PUBLIC");
      statement.execute("CREATE TABLE reader_allowed (n int)");
      statement.execute("CREATE TABLE reader_secret (n int)");
      statement.execute("GRANT SELECT ON reader_secret TO kck_reader"); // a table no primer reads any more
    }
    assertTrue(EmbeddedPostgresServer.stop(directory));
    KckDatabaseProvider.DatabaseSettings reader = EmbeddedPostgresServer.reader(directory, false, Duration.ofMinutes(1));
    EmbeddedPostgresServer.grantReads(directory, false, Duration.ofMinutes(1), List.of("public.reader_allowed"));
    try {
      assertReaderIsLeastPrivileged(reader);
    } finally {
      EmbeddedPostgresServer.stop(directory);
    }
  }

  /** A data directory an older KCK made (zonky's trusting default) is secured on its first start. */
  @Test
  void anOlderTrustingDataDirectoryIsSecuredOnItsFirstStart() throws Exception {
    Path directory = Path.of("target/kck-test-postgres-legacy");
    deleteRecursively(directory);
    try (EmbeddedPostgres legacy = EmbeddedPostgres.builder().setDataDirectory(directory).setCleanDataDirectory(false).start()) {
      try (Connection trusted = DriverManager.getConnection(legacy.getJdbcUrl("postgres", "postgres"), "postgres", "")) {
        assertTrue(trusted.isValid(5), "zonky's default trusts everyone");
      }
    }
    KckDatabaseProvider.DatabaseSettings owner = EmbeddedAccess.owner(directory.toString(), false);
    assertThrows(SQLException.class, () -> DriverManager.getConnection(owner.jdbcUrl(), "postgres", "").close());
    try (Connection connection = DriverManager.getConnection(owner.jdbcUrl(), owner.user(), owner.password())) {
      assertTrue(connection.isValid(5));
    }
    assertFalse(activeLines(Files.readString(directory.resolve("pg_hba.conf"))).contains("trust"));
  }

  private static String activeLines(String hba) {
    return hba.lines().filter(line -> !line.isBlank() && !line.trim().startsWith("#"))
        .reduce("", (all, line) -> all + line + "\n");
  }

  private static void deleteRecursively(Path path) throws java.io.IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (var walk = Files.walk(path)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
