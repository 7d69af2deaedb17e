package io.kck.samples.cashregister;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;

/**
 * The PostgreSQL the nodes of the cluster demo share: an embedded server on a fixed port, in its
 * own JVM, so that killing a node does not take the database with it. Durable (fsync on).
 * Arguments: port, data directory.
 */
public final class SharedPostgres {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    EmbeddedPostgres server = EmbeddedPostgres.builder()
        .setPort(port)
        .setDataDirectory(Path.of(args[1]))
        .setCleanDataDirectory(false)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .start();
    System.out.println("PostgreSQL ready at " + server.getJdbcUrl("postgres", "postgres"));
    Thread.currentThread().join();
  }
}
