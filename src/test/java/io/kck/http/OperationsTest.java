package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.Kck;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TcpProxy;
import io.kck.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What operations ask of a node over HTTP: Prometheus metrics after a workload, and readiness that
 * turns false while the database is cut off and true again once it is back.
 */
class OperationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void metricsCountGetsAndComputesByPrimerAndReadinessFollowsTheDatabase() throws Exception {
    String database = TestNodes.ownDatabase("operations");
    Matcher url = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/").matcher(database);
    assertTrue(url.find(), database);
    try (TcpProxy proxy = TcpProxy.to(url.group(1), Integer.parseInt(url.group(2)))) {
      String throughProxy = database.replace(url.group(1) + ":" + url.group(2), "127.0.0.1:" + proxy.port());
      ActorTestKit node = TestNodes.start("OperationsTest", TestNodes.config(throughProxy
          + "kck.http.read-token = \"r3ad\"\nkck.entity.local-hits = off\n"));
      try {
        CountingPrimer primer = new CountingPrimer("ops-sales").body((key, count) -> {
          if (key.get(CountingPrimer.ID).equals("broken")) {
            throw new IllegalStateException("no sales today");
          }
          return "sales " + count;
        });
        // Given at start, the registry holds every count since then, also those before the service started.
        io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus =
            new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        Kck kck = Kck.builder(node.system()).primers(primer).meterRegistry(prometheus).start();
        Stages.await(kck.get("ops-sales/a")); // a miss: one compute, before the service starts
        String base = "http://127.0.0.1:" + Stages.await(KckHttp.start(kck, "127.0.0.1", 0)).localAddress().getPort();
        assertEquals(1, kck.admin().meters().getRegistries().size(), "the service serves the registry it was given");

        Stages.await(kck.get("ops-sales/a")); // a hit through the actor (local hits off)
        Stages.await(kck.refresh("ops-sales/a")); // a refresh: another compute, a new value
        Stages.failure(kck.get("ops-sales/broken"), io.kck.errors.ComputeFailedException.class);

        assertEquals(401, get(base + "/metrics", null).statusCode(), "metrics are reads: the read token applies");
        String metrics = get(base + "/metrics", "r3ad").body();
        assertEquals(2.0, sample(metrics, "kck_gets_total", "outcome=\"miss\",primer=\"ops-sales\""), metrics);
        assertEquals(1.0, sample(metrics, "kck_gets_total", "outcome=\"hit\",primer=\"ops-sales\""), metrics);
        assertEquals(2.0, sample(metrics, "kck_computes_total", "cause=\"miss\",primer=\"ops-sales\""), metrics);
        assertEquals(1.0, sample(metrics, "kck_computes_total", "cause=\"refresh\",primer=\"ops-sales\""), metrics);
        assertEquals(2.0, sample(metrics, "kck_compute_duration_seconds_count", "outcome=\"stored\",primer=\"ops-sales\""), metrics);
        assertEquals(1.0, sample(metrics, "kck_compute_duration_seconds_count", "outcome=\"failed\",primer=\"ops-sales\""), metrics);
        assertEquals(1.0, sample(metrics, "kck_database_available", ""), metrics);
        // Two new values journaled (the miss, the refresh), and perhaps a use of the key.
        assertTrue(sample(metrics, "kck_journal_write_seconds_count", "primer=\"ops-sales\"") >= 2.0, metrics);

        HttpResponse<String> ready = get(base + "/health/ready", null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(JSON.readTree(ready.body()).get("ready").asBoolean(), ready.body());
        assertEquals(200, get(base + "/health/alive", null).statusCode());

        proxy.cut();
        long cutAt = System.nanoTime();
        JsonNode down = Eventually.until("readiness to fail while the database is cut off", Duration.ofSeconds(30),
            () -> get(base + "/health/ready", null), response -> response.statusCode() == 503)
            .body().transform(OperationsTest::parse);
        long failedAfter = millisSince(cutAt);
        assertEquals("database", down.get("failing").asText(), down.toString());
        assertEquals(200, get(base + "/health/alive", null).statusCode(), "alive all the same");

        proxy.restore();
        long restoredAt = System.nanoTime();
        Eventually.until("readiness to pass once the database is back", Duration.ofSeconds(30),
            () -> get(base + "/health/ready", null).statusCode(), status -> status == 200);
        System.out.printf("readiness: failing %d ms after the database was cut off, ready %d ms after it was back%n",
            failedAfter, millisSince(restoredAt));
      } finally {
        node.shutdownTestKit();
      }
    }
  }

  private HttpResponse<String> get(String uri, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the sample {@code name{labels}} in Prometheus' text format. */
  private static double sample(String text, String name, String labels) {
    String prefix = labels.isEmpty() ? name + " " : name + "{" + labels + "} ";
    return text.lines().filter(line -> line.startsWith(prefix)).findFirst()
        .map(line -> Double.parseDouble(line.substring(prefix.length()).trim()))
        .orElseThrow(() -> new AssertionError("no sample " + prefix));
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new AssertionError(body, e);
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
