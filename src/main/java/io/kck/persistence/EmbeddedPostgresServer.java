package io.kck.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Durable by default: zonky starts its servers with {@code fsync=off} and {@code
 * synchronous_commit=off}, which can lose acknowledged writes in a crash; KCK turns both on unless
 * {@code kck.database.embedded.durable = off}.
 */
final class EmbeddedPostgresServer {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  private static final Map<Path, EmbeddedPostgres> running = new HashMap<>();

  private EmbeddedPostgresServer() {}

  /** The JDBC URL of the server for {@code dataDirectory}, starting it if needed. */
  static synchronized String jdbcUrl(Path dataDirectory, boolean durable, Duration startupTimeout) {
    Path directory = dataDirectory.toAbsolutePath().normalize();
    EmbeddedPostgres server = running.get(directory);
    if (server == null) {
      server = start(directory, durable, startupTimeout);
      running.put(directory, server);
    }
    return server.getJdbcUrl("postgres", "postgres");
  }

  private static EmbeddedPostgres start(Path directory, boolean durable, Duration startupTimeout) {
    try {
      Files.createDirectories(directory);
      stopOrphanedServer(directory);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(directory)
              .setCleanDataDirectory(false)
              .setPGStartupWait(startupTimeout);
      if (durable) {
        builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
            .setServerConfig("full_page_writes", "on");
      }
      long started = System.nanoTime();
      EmbeddedPostgres server = builder.start();
      log.info(
          "Embedded PostgreSQL on port {} with data in {} ({}durable), started in {} ms",
          server.getPort(), directory, durable ? "" : "not ",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the embedded PostgreSQL in " + directory, e);
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
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lockFile,
            java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = channel.tryLock()) {
      return lock != null;
    } catch (java.nio.channels.OverlappingFileLockException e) {
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
