package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.Kck;
import io.kck.primer.Augment;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP API over a real node: JSON, ETags, writes with a token, errors, bulk, events. */
class HttpTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final Primer<String> notes = Primer.builder("http-notes", String.class)
      .parameters(ID)
      .compute((key, context) -> "note " + key.get(ID))
      .augment(Augment.of(String.class, (note, more) -> note + more))
      .build();
  static final Primer<Integer> length = Primer.builder("http-length", Integer.class)
      .parameters(ID)
      .compute((key, context) -> context.get(notes.key(key.get(ID))).length())
      .build();
  static final Primer<String> broken = Primer.builder("http-broken", String.class)
      .compute((key, context) -> {
        throw new IllegalStateException("source down");
      })
      .build();

  static final Primer<String> slow = Primer.builder("http-slow", String.class)
      .computeTimeout(java.time.Duration.ofMillis(300))
      .compute((key, context) -> {
        Thread.sleep(60_000); // interrupted at its timeout
        return "never";
      })
      .build();

  static ActorTestKit testKit;
  static Kck kck;
  static String base;
  static final HttpClient client = HttpClient.newHttpClient();
  static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("HttpTest", TestNodes.config(
        "kck.http.write-token = \"s3cret\"\nakka.actor.testkit.typed.system-shutdown-default = 30s"));
    kck = Kck.start(testKit.system(), notes, length, broken, slow);
    ServerBinding binding = Stages.await(KckHttp.start(kck, "127.0.0.1", 0));
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();

  }

  static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode body(HttpResponse<String> response) throws Exception {
    return json.readTree(response.body());
  }

  @Test
  void getAnswersJsonWithAnETagAndIfNoneMatchAnswers304() throws Exception {
    HttpResponse<String> first = send("GET", "/api/keys/http-notes/a", null);
    assertEquals(200, first.statusCode(), first.body());
    assertEquals("note a", body(first).get("value").asText());
    assertEquals(1, body(first).get("version").asLong());
    assertEquals("\"1\"", first.headers().firstValue("ETag").orElseThrow());
    assertTrue(first.headers().firstValue("X-KCK-Computed-At").isPresent());

    HttpResponse<String> again = send("GET", "/api/keys/http-notes/a", null, "If-None-Match", "\"1\"");
    assertEquals(304, again.statusCode());
    assertEquals(200, send("GET", "/api/keys/http-notes/a", null, "If-None-Match", "\"0\"").statusCode());
  }

  @Test
  void writesNeedTheTokenAndPutRefreshInvalidateAugmentWork() throws Exception {
    String token = "Bearer s3cret";
    HttpResponse<String> refused = send("PUT", "/api/keys/http-notes/w", "\"mine\"", "Content-Type", "application/json");
    assertEquals(401, refused.statusCode());
    assertEquals("UNAUTHORIZED", body(refused).get("code").asText());

    HttpResponse<String> put = send("PUT", "/api/keys/http-notes/w", "\"mine\"",
        "Content-Type", "application/json", "Authorization", token);
    assertEquals(200, put.statusCode(), put.body());
    assertEquals("mine", body(put).get("value").asText());
    long version = body(put).get("version").asLong();

    HttpResponse<String> augmented = send("POST", "/api/augment/http-notes/w", "\"!\"",
        "Content-Type", "application/json", "Authorization", token, "If-Match", "\"" + version + "\"");
    assertEquals(200, augmented.statusCode(), augmented.body());
    assertEquals(version + 1, body(augmented).get("version").asLong());
    HttpResponse<String> conflict = send("POST", "/api/augment/http-notes/w", "\"?\"",
        "Content-Type", "application/json", "Authorization", token, "If-Match", "\"" + version + "\"");
    assertEquals(409, conflict.statusCode());
    assertEquals("VERSION_CONFLICT", body(conflict).get("code").asText());
    assertEquals("mine!", body(send("GET", "/api/keys/http-notes/w", null)).get("value").asText());

    HttpResponse<String> refreshed = send("POST", "/api/refresh/http-notes/w", null, "Authorization", token);
    assertEquals(200, refreshed.statusCode(), refreshed.body());
    assertEquals("note w", body(refreshed).get("value").asText());

    assertEquals(204, send("DELETE", "/api/keys/http-notes/w", null, "Authorization", token).statusCode());
    assertEquals(version + 3, body(send("GET", "/api/keys/http-notes/w", null)).get("version").asLong());

    HttpResponse<String> badValue = send("PUT", "/api/keys/http-notes/w", "{\"not\": \"a string\"}",
        "Content-Type", "application/json", "Authorization", token);
    assertEquals(400, badValue.statusCode());
    assertEquals("INVALID_VALUE", body(badValue).get("code").asText());
  }

  @Test
  void errorsAreJsonWithAStableCode() throws Exception {
    HttpResponse<String> badKey = send("GET", "/api/keys/http-notes/a/b", null);
    assertEquals(400, badKey.statusCode());
    assertEquals("BAD_KEY", body(badKey).get("code").asText());
    assertTrue(body(badKey).get("message").asText().contains("http-notes/a/b"));
    HttpResponse<String> unknown = send("GET", "/api/keys/weather/today", null);
    assertEquals(404, unknown.statusCode());
    assertEquals("UNKNOWN_PRIMER", body(unknown).get("code").asText());
    HttpResponse<String> failed = send("GET", "/api/keys/http-broken", null);
    assertEquals(500, failed.statusCode());
    assertEquals("COMPUTE_FAILED", body(failed).get("code").asText());
    // A timeout is a failed compute too (ComputeTimeoutException extends ComputeFailedException),
    // but its kind, not its class, decides the answer.
    HttpResponse<String> timedOut = send("GET", "/api/keys/http-slow", null);
    assertEquals(504, timedOut.statusCode(), timedOut.body());
    assertEquals("COMPUTE_TIMEOUT", body(timedOut).get("code").asText());
  }

  @Test
  void bulkGetAnswersEachKeyOnItsOwn() throws Exception {
    HttpResponse<String> bulk = send("POST", "/api/bulk", "[\"http-notes/b\", \"weather/today\", \"http-length/b\"]",
        "Content-Type", "application/json");
    assertEquals(200, bulk.statusCode(), bulk.body());
    JsonNode results = body(bulk);
    assertEquals("note b", results.get(0).get("value").asText());
    assertEquals("UNKNOWN_PRIMER", results.get(1).get("code").asText());
    assertEquals("weather/today", results.get(1).get("key").asText());
    assertEquals(6, results.get(2).get("value").asInt());
  }

  @Test
  void updatesArriveAsServerSentEvents() throws Exception {
    Stages.await(kck.get(notes.key("sse")));
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/updates/http-notes/sse")).build();
    HttpResponse<java.io.InputStream> stream = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    CompletableFuture<List<String>> events = CompletableFuture.supplyAsync(() -> {
      List<String> data = new ArrayList<>();
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        String line;
        while (data.size() < 2 && (line = lines.readLine()) != null) {
          if (line.startsWith("data:")) {
            data.add(line.substring(5).trim());
          }
        }
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
      return data;
    });
    // The first event is the current value; then augment, and the second is the new version.
    Eventually.until("http-notes/sse to finish computing", () -> Stages.await(kck.admin().inspect(notes.key("sse"))),
        status -> !status.computing());
    Stages.await(kck.augment(notes.key("sse"), " more"));
    List<String> data = events.get(30, TimeUnit.SECONDS);
    stream.body().close();
    assertEquals("note sse", json.readTree(data.get(0)).get("value").asText());
    assertEquals("note sse more", json.readTree(data.get(1)).get("value").asText());
  }

  @Test
  void theLiveViewListsKeysWithStatusAndEdges() throws Exception {
    Stages.await(kck.get(length.key("graph")));
    HttpResponse<String> live = send("GET", "/api/live", null);
    assertEquals(200, live.statusCode(), live.body());
    JsonNode keys = body(live).get("keys");
    JsonNode reader = null;
    for (JsonNode key : keys) {
      if (key.get("key").asText().equals("http-length/graph")) {
        reader = key;
      }
    }
    assertTrue(reader != null, live.body());
    assertEquals("fresh", reader.get("status").asText());
    assertEquals("http-notes/graph", reader.get("inputs").get(0).asText());
    HttpResponse<String> page = send("GET", "/", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("<svg id=\"graph\""));
  }
}
