package io.kck.persistence;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A way, from other packages' tests and the benchmarks, to the embedded server they share with KCK
 * (for raw JDBC baselines and for looking at the journal).
 */
public final class EmbeddedAccess {
  private EmbeddedAccess() {}

  /** The JDBC URL of the server on {@code dataDirectory}, started as KCK would start it. */
  public static String jdbcUrl(String dataDirectory, boolean durable) {
    return EmbeddedPostgresServer.jdbcUrl(Path.of(dataDirectory), durable, Duration.ofMinutes(1));
  }
}
