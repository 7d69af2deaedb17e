package io.kck.samples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.persistence.KckDatabaseProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * Readiness follows the database: the sample runs on an embedded PostgreSQL reached through a TCP
 * proxy; cutting the proxy turns {@code /actuator/health/readiness} DOWN (503) within seconds, while
 * liveness stays UP (KCK recovers by itself), and restoring it brings readiness back UP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ReadinessOutageTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static TcpProxy proxy;

  @Value("${local.server.port}")
  int port;

  private final HttpClient http = HttpClient.newHttpClient();

  /**
   * Starts the embedded PostgreSQL (KCK's own, of a data directory for this test), puts the proxy
   * in front of it, and points the application's KCK at the proxy through a HOCON file named by
   * kck.spring.config.
   */
  @DynamicPropertySource
  static void databaseThroughProxy(DynamicPropertyRegistry registry) throws IOException {
    Path data = Path.of("target/kck-outage-data");
    FileSystemUtils.deleteRecursively(data.toFile());
    Config embedded = ConfigFactory.parseString("""
        kck.database.embedded.data-directory = "target/kck-outage-data/postgres"
        kck.database.embedded.durable = off
        """).withFallback(ConfigFactory.load());
    KckDatabaseProvider.DatabaseSettings database = KckDatabaseProvider.DatabaseSettings.from(embedded);
    Matcher url = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/(.*)").matcher(database.jdbcUrl());
    assertTrue(url.matches(), database.jdbcUrl());
    proxy = new TcpProxy(url.group(1), Integer.parseInt(url.group(2)));
    Path conf = data.resolve("through-proxy.conf");
    Files.writeString(conf, """
        include classpath("application")
        kck.database.url = "jdbc:postgresql://127.0.0.1:%d/%s"
        kck.database.user = "%s"
        kck.database.password = "%s"
        """.formatted(proxy.port(), url.group(3), database.user(), database.password()));
    registry.add("kck.spring.config", () -> "file:" + conf.toAbsolutePath());
  }

  @AfterAll
  static void closeProxy() throws IOException {
    proxy.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> awaitStatus(String path, int status) throws Exception {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    HttpResponse<String> response = get(path);
    while (response.statusCode() != status && System.nanoTime() < deadline) {
      Thread.sleep(250);
      response = get(path);
    }
    return response;
  }

  @Test
  void readinessTurnsDownWhenTheDatabaseIsCutAndUpWhenItReturns() throws Exception {
    assertEquals(200, get("/greetings/grace").statusCode());
    HttpResponse<String> ready = get("/actuator/health/readiness");
    assertEquals(200, ready.statusCode(), ready.body());
    assertTrue(ready.body().endsWith("\"status\":\"UP\"}"), ready.body());

    proxy.cut();
    long cutAt = System.nanoTime();
    HttpResponse<String> down = awaitStatus("/actuator/health/readiness", 503);
    assertEquals(503, down.statusCode(), down.body());
    assertTrue(down.body().endsWith("\"status\":\"DOWN\"}"), down.body());
    assertTrue(down.body().contains("\"failing\":\"database\""), down.body());
    System.out.printf("readiness DOWN %d ms after the database was cut%n", (System.nanoTime() - cutAt) / 1_000_000);
    HttpResponse<String> live = get("/actuator/health/liveness");
    assertEquals(200, live.statusCode(), "liveness stays UP during an outage: " + live.body());

    proxy.restore();
    long restoredAt = System.nanoTime();
    HttpResponse<String> back = awaitStatus("/actuator/health/readiness", 200);
    assertEquals(200, back.statusCode(), back.body());
    System.out.printf("readiness UP again %d ms after the database returned%n", (System.nanoTime() - restoredAt) / 1_000_000);
    assertEquals(200, get("/greetings/grace").statusCode());
  }
}
