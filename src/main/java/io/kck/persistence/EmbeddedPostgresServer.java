package io.kck.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL of one data directory, started on first use and shared by every
 * ActorSystem of this JVM that uses the same directory (tests start many systems; each would
 * otherwise pay seconds for its own server). It stops when the JVM exits.
 *
 * <p><b>Only KCK gets in.</b> zonky initialises a server that trusts every local connection as
 * superuser, which lets any process of any user on the machine read the journal and, through
 * {@code COPY ... TO PROGRAM}, run commands as the database's owner. KCK's server instead has a
 * random password per data directory ({@link Secrets#SUPERUSER_FILE}, mode 0600, in the data
 * directory, itself 0700), its {@code pg_hba.conf} asks {@code scram-sha-256} of every connection
 * (TCP on loopback and the Unix socket, whose file is 0700 too), and KCK writes that file again at
 * every start, so nothing ever turns {@code trust} back on. A read-only role ({@code
 * kck_reader}, its password in {@link Secrets#READER_FILE}) is what SQL primers on this database
 * connect as. A data directory made by an older KCK (trusting, without a password file) is
 * secured on its first start: the password is set over the trusting connection and the trust
 * lines are replaced at once, before KCK uses the server.
 *
 * <p>Durable by default: zonky starts its servers with {@code fsync=off} and {@code
 * synchronous_commit=off}, which can lose acknowledged writes in a crash; KCK turns both on unless
 * {@code kck.database.embedded.durable = off}.
 */
final class EmbeddedPostgresServer {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  private static final Map<Path, Running> running = new HashMap<>();
  // ActorSystems that stop the server of a directory when the last of them terminates.
  private static final Map<Path, Integer> users = new HashMap<>();
  static final String SUPERUSER = "postgres";
  static final String READER = "kck_reader";

  private static final String HBA = """
      # Written by KCK at every start of its embedded PostgreSQL: every connection, over the Unix
      # socket or TCP on loopback, authenticates with a password (kck-password, kck-reader-password).
      local all all scram-sha-256
      host all all 127.0.0.1/32 scram-sha-256
      host all all ::1/128 scram-sha-256
      """;

  private record Running(EmbeddedPostgres server, String url, Secrets secrets) {}

  private EmbeddedPostgresServer() {}

  /** KCK's own connection (the superuser) to the server of {@code dataDirectory}, starting it if needed. */
  static synchronized KckDatabaseProvider.DatabaseSettings owner(Path dataDirectory, boolean durable, Duration startupTimeout) {
    Running server = server(dataDirectory, durable, startupTimeout);
    return new KckDatabaseProvider.DatabaseSettings(server.url(), SUPERUSER, server.secrets().superuser());
  }

  /** The read-only role of the server of {@code dataDirectory}, for SQL primers. */
  static synchronized KckDatabaseProvider.DatabaseSettings reader(Path dataDirectory, boolean durable, Duration startupTimeout) {
    Running server = server(dataDirectory, durable, startupTimeout);
    return new KckDatabaseProvider.DatabaseSettings(server.url(), READER, server.secrets().reader());
  }

  /** The JDBC URL of the server for {@code dataDirectory}, starting it if needed. */
  static synchronized String jdbcUrl(Path dataDirectory, boolean durable, Duration startupTimeout) {
    return server(dataDirectory, durable, startupTimeout).url();
  }

  /** One more ActorSystem uses the server of {@code dataDirectory} until it calls {@link #release}. */
  static synchronized void use(Path dataDirectory) {
    users.merge(dataDirectory.toAbsolutePath().normalize(), 1, Integer::sum);
  }

  /** An ActorSystem that {@link #use}d the server is done with it: the last one stops it. */
  static synchronized void release(Path dataDirectory) {
    Path directory = dataDirectory.toAbsolutePath().normalize();
    Integer left = users.computeIfPresent(directory, (path, count) -> count > 1 ? count - 1 : null);
    if (left == null) {
      stop(directory);
    }
  }

  /** Stops the server of {@code dataDirectory} if this JVM started it (and forgets it); whether it did. */
  static synchronized boolean stop(Path dataDirectory) {
    Running server = running.remove(dataDirectory.toAbsolutePath().normalize());
    if (server == null) {
      return false;
    }
    try {
      server.server().close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stop the embedded PostgreSQL in " + dataDirectory, e);
    }
    log.info("Embedded PostgreSQL with data in {} stopped", dataDirectory.toAbsolutePath().normalize());
    return true;
  }

  private static Running server(Path dataDirectory, boolean durable, Duration startupTimeout) {
    Path directory = dataDirectory.toAbsolutePath().normalize();
    Running server = running.get(directory);
    if (server == null) {
      server = start(directory, durable, startupTimeout);
      running.put(directory, server);
    }
    return server;
  }

  private static Running start(Path directory, boolean durable, Duration startupTimeout) {
    try {
      Files.createDirectories(directory);
      stopOrphanedServer(directory);
      boolean fresh = !Files.exists(directory.resolve("postgresql.conf"));
      Optional<Secrets> stored = fresh ? Optional.empty() : Secrets.read(directory);
      Secrets secrets = stored.orElseGet(Secrets::generate);
      boolean unsecured = !fresh && stored.isEmpty(); // made by an older KCK: trust, no password
      if (unsecured && !Files.readString(directory.resolve("pg_hba.conf")).contains("trust")) {
        throw new IllegalStateException("The embedded PostgreSQL in " + directory + " asks for a password, but its "
            + Secrets.SUPERUSER_FILE + " file is missing: restore the file, or delete the directory to start over");
      }
      if (!fresh && !unsecured) {
        Files.writeString(directory.resolve("pg_hba.conf"), HBA);
      }
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(directory)
              .setCleanDataDirectory(false)
              .setPGStartupWait(startupTimeout)
              .setConnectConfig("password", secrets.superuser())
              // The socket file (in /tmp) admits only this OS user, before any password is asked.
              .setServerConfig("unix_socket_permissions", "0700")
              .setServerConfig("password_encryption", "scram-sha-256")
              // Logical replication, for the tables primers declare as sources (docs/sources.md).
              .setServerConfig("wal_level", "logical")
              .setServerConfig("max_replication_slots", "10")
              .setServerConfig("max_wal_senders", "10");
      Path pending = null;
      if (fresh) {
        // initdb takes the password from a file; zonky's "-A trust" is overridden by --auth.
        pending = Secrets.pendingSuperuserFile(secrets);
        builder.setLocaleConfig("auth", "scram-sha-256").setLocaleConfig("pwfile", pending.toString());
      }
      if (durable) {
        builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on");
      }
      long started = System.nanoTime();
      EmbeddedPostgres server;
      try {
        server = builder.start();
      } finally {
        if (pending != null) {
          Secrets.deletePending(pending);
        }
      }
      // No user in the URL: pgjdbc lets URL parameters win over the user a connection asks for.
      String url = "jdbc:postgresql://localhost:" + server.getPort() + "/postgres";
      if (fresh || unsecured) {
        secrets.write(directory);
      }
      try (Connection connection = DriverManager.getConnection(url, SUPERUSER, secrets.superuser());
          Statement statement = connection.createStatement()) {
        if (unsecured) {
          log.warn("Securing the embedded PostgreSQL in {}, made by an older KCK without a password: "
              + "it now asks for the password in {}", directory, directory.resolve(Secrets.SUPERUSER_FILE));
          statement.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + secrets.superuser() + "'");
          Files.writeString(directory.resolve("pg_hba.conf"), HBA);
          statement.execute("SELECT pg_reload_conf()");
        }
        secureReader(url, statement, secrets);
      }
      log.info(
          "Embedded PostgreSQL on port {} with data in {} ({}durable, password in {}), started in {} ms",
          server.getPort(), directory, durable ? "" : "not ", Secrets.SUPERUSER_FILE,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return new Running(server, url, secrets);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the embedded PostgreSQL in " + directory, e);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot secure the embedded PostgreSQL in " + directory + ": " + e.getMessage(), e);
    }
  }

  /**
   * The role SQL primers connect as: it may log in, every transaction is read-only, it is no
   * superuser (it cannot read server files or run programs), and it reads no table until a primer
   * that queries it is allowed to ({@link #grantReads}). Applied at every start, so that a data
   * directory of an older KCK (which gave the role {@code pg_read_all_data}, every table and the
   * catalog's {@code pg_authid} with it) loses what it no longer needs: the role's grants on tables
   * are dropped here and given again by the primers that still read them.
   *
   * <p>Nobody but the superuser creates anything: PostgreSQL 14 lets every role ({@code PUBLIC})
   * create in schema {@code public} and make temporary tables, which a role that turns {@code
   * default_transaction_read_only} off could use. Revoked here, and in {@code template1}, so that
   * databases created later start the same way.
   */
  private static void secureReader(String url, Statement statement, Secrets secrets) throws SQLException {
    statement.execute("""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN
            CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
          END IF;
        END $$""".formatted(READER, READER));
    statement.execute("ALTER ROLE " + READER + " PASSWORD '" + secrets.reader() + "'");
    statement.execute("ALTER ROLE " + READER + " SET default_transaction_read_only = on");
    statement.execute("REVOKE pg_read_all_data FROM " + READER);
    statement.execute("""
        DO $$ DECLARE granted record; BEGIN
          FOR granted IN SELECT DISTINCT n.nspname, c.relname FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) acl
              WHERE acl.grantee = '%s'::regrole LOOP
            EXECUTE format('REVOKE ALL ON TABLE %%I.%%I FROM %s', granted.nspname, granted.relname);
          END LOOP;
        END $$""".formatted(READER, READER));
    closeCreation(statement, "postgres");
    try (Connection template = DriverManager.getConnection(url.replaceFirst("/postgres$", "/template1"), SUPERUSER,
            secrets.superuser());
        Statement templateStatement = template.createStatement()) {
      closeCreation(templateStatement, "template1");
    }
  }

  private static void closeCreation(Statement statement, String database) throws SQLException {
    statement.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    statement.execute("REVOKE TEMPORARY ON DATABASE " + database + " FROM PUBLIC");
  }

  /**
   * Lets the read-only role {@code SELECT} from {@code tables} (each {@code schema.table}, lower
   * case, validated by the caller) of the server of {@code dataDirectory}: what one SQL primer
   * declared it reads. Idempotent.
   *
   * @throws SQLException when a table does not exist (yet), or the server cannot be reached
   */
  static void grantReads(Path dataDirectory, boolean durable, Duration startupTimeout, List<String> tables)
      throws SQLException {
    KckDatabaseProvider.DatabaseSettings owner = owner(dataDirectory, durable, startupTimeout);
    try (Connection connection = DriverManager.getConnection(owner.jdbcUrl(), owner.user(), owner.password());
        Statement statement = connection.createStatement()) {
      for (String table : tables) {
        String[] parts = table.split("\\.", 2);
        statement.execute("GRANT USAGE ON SCHEMA \"" + parts[0] + "\" TO " + READER);
        statement.execute("GRANT SELECT ON TABLE \"" + parts[0] + "\".\"" + parts[1] + "\" TO " + READER);
      }
    }
  }

  /**
   * A JVM killed with -9 leaves its postmaster running (pg_ctl detaches it), holding the data
   * directory: a new server would refuse to start. The dead JVM's zonky lock is gone, so a live
   * postmaster named in postmaster.pid is an orphan; stop it (SIGTERM, PostgreSQL's smart
   * shutdown, which checkpoints) and wait for it.
   */
  private static void stopOrphanedServer(Path directory) throws IOException {
    Path pidFile = directory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    Optional<ProcessHandle> process =
        lines.isEmpty() ? Optional.empty() : parsePid(lines.get(0)).flatMap(ProcessHandle::of);
    if (process.isEmpty() || !process.get().isAlive() || !isPostgres(process.get())) {
      return;
    }
    if (!orphaned(directory)) {
      throw new IllegalStateException("The embedded PostgreSQL in " + directory + " (pid " + process.get().pid()
          + ") belongs to another running process. Give each JVM its own kck.database.embedded.data-directory"
          + " (KCK_DATA_DIR), or share an external PostgreSQL (kck.database.url)");
    }
    log.warn("Stopping an orphaned PostgreSQL (pid {}) left on {} by a process that died",
        process.get().pid(), directory);
    process.get().destroy();
    try {
      process.get().onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.get().destroyForcibly();
    }
  }

  /**
   * Whether no live process owns the server: zonky holds a file lock on {@code epg-lock} in the data
   * directory for as long as the JVM that started the server runs, and the OS drops it when that
   * JVM dies (also with kill -9).
   */
  static boolean orphaned(Path directory) throws IOException {
    Path lockFile = directory.resolve("epg-lock");
    if (!Files.exists(lockFile)) {
      return true;
    }
    try (FileChannel channel = FileChannel.open(lockFile,
            StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      return lock != null;
    } catch (OverlappingFileLockException e) {
      return false; // this JVM holds it: not an orphan
    }
  }

  private static Optional<Long> parsePid(String line) {
    try {
      return Optional.of(Long.parseLong(line.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean isPostgres(ProcessHandle process) {
    return process.info().command().map(command -> command.endsWith("postgres")).orElse(true);
  }
}
