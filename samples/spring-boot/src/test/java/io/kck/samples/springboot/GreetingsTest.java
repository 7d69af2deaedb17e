package io.kck.samples.springboot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.util.FileSystemUtils;

/**
 * The sample web application on KCK's embedded PostgreSQL, through HTTP: concurrent requests for a
 * cold greeting compute it once, later ones are hits, and the probes report KCK.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "kck.spring.config=classpath:test.conf")
class GreetingsTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Value("${local.server.port}")
  int port;

  @Autowired
  AtomicInteger computes;

  @BeforeAll
  static void emptyDatabase() {
    // Every run starts from an empty database, so the first get computes.
    FileSystemUtils.deleteRecursively(Path.of("target/kck-test-data").toFile());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aGreetingIsComputedOnceHoweverManyAsk() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> concurrent = IntStream.range(0, 8)
        .mapToObj(i -> http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/greetings/ada")).build(),
            HttpResponse.BodyHandlers.ofString()))
        .toList();
    for (CompletableFuture<HttpResponse<String>> response : concurrent) {
      assertEquals(200, response.get().statusCode(), response.get().body());
      assertTrue(response.get().body().contains("\"text\":\"Hello, ada!\""), response.get().body());
      assertTrue(response.get().body().contains("\"version\":1"), response.get().body());
    }
    HttpResponse<String> later = get("/greetings/ada");
    assertEquals(200, later.statusCode());
    assertTrue(later.body().contains("\"version\":1"), later.body());
    assertEquals(1, computes.get(), "computes of greeting/ada");
  }

  @Test
  void theProbesReportKck() throws Exception {
    HttpResponse<String> readiness = get("/actuator/health/readiness");
    assertEquals(200, readiness.statusCode(), readiness.body());
    assertTrue(readiness.body().endsWith("\"status\":\"UP\"}"), readiness.body());
    assertTrue(readiness.body().contains("\"kckReadiness\""), readiness.body());
    assertTrue(readiness.body().contains("\"database\""), readiness.body());
    HttpResponse<String> liveness = get("/actuator/health/liveness");
    assertEquals(200, liveness.statusCode(), liveness.body());
    assertTrue(liveness.body().contains("\"kckLiveness\""), liveness.body());
  }
}
