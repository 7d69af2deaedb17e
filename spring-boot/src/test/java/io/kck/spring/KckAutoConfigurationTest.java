package io.kck.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import io.kck.Kck;
import io.kck.persistence.KckDatabaseProvider;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The auto-configuration in a real (non-web) Spring Boot application on the embedded PostgreSQL:
 * beans, Primer beans registered, meters in the application's registry, health indicators in the
 * probe groups, and everything stopped with the context.
 */
class KckAutoConfigurationTest {
  private static final Path DATA = Path.of("target/kck-spring-test/postgres");

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    final AtomicInteger computes = new AtomicInteger();

    @Bean
    Primer<String> greeting() {
      Parameter<String> name = Parameter.ofString("name");
      return Primer.builder("greeting", String.class).parameters(name)
          .compute((key, context) -> {
            computes.incrementAndGet();
            Thread.sleep(100);
            return "Hello, " + key.get(name) + "!";
          })
          .build();
    }
  }

  @Test
  void kckRunsAsBeansAndStopsWithTheContext() throws Exception {
    // From an empty database: the first get must compute.
    org.springframework.util.FileSystemUtils.deleteRecursively(DATA.getParent());
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .properties("kck.spring.system-name=kck-spring-test")
        .run();
    ActorSystem<?> system;
    KckDatabaseProvider.DatabaseSettings database;
    try {
      Kck kck = context.getBean(Kck.class);
      system = context.getBean(ActorSystem.class);
      assertEquals("kck-spring-test", system.name());
      App app = context.getBean(App.class);

      // The Primer bean is registered: concurrent gets of a cold key compute once.
      List<CompletableFuture<Object>> gets = java.util.stream.IntStream.range(0, 8)
          .mapToObj(i -> kck.get("greeting/spring").toCompletableFuture()).toList();
      for (CompletableFuture<Object> get : gets) {
        assertEquals("Hello, spring!", get.get(30, TimeUnit.SECONDS));
      }
      assertEquals("Hello, spring!", kck.get("greeting/spring").toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals(1, app.computes.get(), "computes");

      // KCK's meters are in the application's registry.
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertNotNull(registry.find("kck.gets").meter(), "kck.gets in " + registry.getClass().getSimpleName());
      assertTrue(registry.find("kck.computes").counters().stream().mapToDouble(c -> c.count()).sum() >= 1);

      // Health: live, ready, and in Actuator's probe groups.
      HealthIndicator liveness = context.getBean("kckLivenessHealthIndicator", HealthIndicator.class);
      HealthIndicator readiness = context.getBean("kckReadinessHealthIndicator", HealthIndicator.class);
      assertEquals(Status.UP, liveness.health().getStatus());
      org.springframework.boot.health.contributor.Health ready = readiness.health();
      assertEquals(Status.UP, ready.getStatus(), ready.getDetails().toString());
      assertTrue(ready.getDetails().containsKey("database"), ready.getDetails().toString());
      assertEquals("readinessState,kckReadiness",
          context.getEnvironment().getProperty("management.endpoint.health.group.readiness.include"));
      assertTrue(Files.exists(DATA.resolve("postmaster.pid")), "the embedded PostgreSQL runs");
      database = KckDatabaseProvider.DatabaseSettings.from(system.settings().config());
    } finally {
      context.close();
    }

    // Stopped with the context: the ActorSystem terminated, the embedded PostgreSQL stopped, no
    // thread of KCK, Akka or the pool left.
    assertTrue(system.getWhenTerminated().toCompletableFuture().isDone(), "the ActorSystem terminated");
    assertFalse(Files.exists(DATA.resolve("postmaster.pid")), "the embedded PostgreSQL stopped");
    assertThrows(SQLException.class, () -> DriverManager.getConnection(
        database.jdbcUrl(), database.user(), database.password()).close(), "the embedded PostgreSQL refuses connections");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Set<String> left;
    do {
      left = Thread.getAllStackTraces().keySet().stream()
          .filter(thread -> thread.isAlive() && !before.contains(thread))
          .map(Thread::getName)
          .filter(name -> name.startsWith("kck") || name.contains("akka") || name.contains("Hikari")
              || name.contains("slick") || name.contains("postgres"))
          .collect(Collectors.toSet());
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    assertEquals(Set.of(), left, "threads left after the context closed");
  }

  @Test
  void kckConfigPointsAtAnotherHoconFile() {
    DefaultResourceLoader resources = new DefaultResourceLoader();
    assertEquals(Duration.ofSeconds(42), KckActorSystem.config("classpath:other.conf", resources, getClass().getClassLoader())
        .getDuration("kck.request-timeout"));
    assertEquals("target/kck-spring-test/postgres", KckActorSystem.config("classpath:other.conf", resources, getClass().getClassLoader())
        .getString("kck.database.embedded.data-directory"), "include \"application\" layers it over application.conf");
    assertThrows(IllegalArgumentException.class, () -> KckActorSystem.config("classpath:absent.conf", resources, getClass().getClassLoader()));
  }
}
