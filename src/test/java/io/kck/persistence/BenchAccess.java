package io.kck.persistence;

import java.nio.file.Path;
import java.time.Duration;

/** The benchmarks' way to the embedded server they share with KCK (for raw JDBC baselines). */
public final class BenchAccess {
  private BenchAccess() {}

  public static String jdbcUrl(String dataDirectory) {
    return EmbeddedPostgresServer.jdbcUrl(Path.of(dataDirectory), true, Duration.ofMinutes(1));
  }
}
