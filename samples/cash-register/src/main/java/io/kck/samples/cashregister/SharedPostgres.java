package io.kck.samples.cashregister;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The PostgreSQL the nodes of the cluster demo share: an embedded server on a fixed port, in its
 * own JVM, so that killing a node does not take the database with it. Durable (fsync on). Like
 * KCK's own embedded server it trusts nobody: every connection needs the password the demo script
 * generates (environment KCK_DB_PASSWORD), checked with scram-sha-256. Arguments: port, data
 * directory.
 */
public final class SharedPostgres {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String password = System.getenv("KCK_DB_PASSWORD");
    if (password == null || password.isBlank()) {
      throw new IllegalArgumentException("Set KCK_DB_PASSWORD: the shared PostgreSQL asks every node for it");
    }
    Path pwfile = Files.createTempFile("kck-demo-", ".pw",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(pwfile, password + "\n");
    EmbeddedPostgres server;
    try {
      server = EmbeddedPostgres.builder()
          .setPort(port)
          .setDataDirectory(Path.of(args[1]))
          .setCleanDataDirectory(false)
          .setLocaleConfig("auth", "scram-sha-256") // instead of zonky's "trust"
          .setLocaleConfig("pwfile", pwfile.toString())
          .setConnectConfig("password", password)
          .setServerConfig("unix_socket_permissions", "0700")
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .start();
    } finally {
      Files.deleteIfExists(pwfile);
    }
    System.out.println("PostgreSQL ready at jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres");
    Thread.currentThread().join();
  }
}
