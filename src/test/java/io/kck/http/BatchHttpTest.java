package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.Kck;
import io.kck.testing.CountingBatchPrimer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A bulk get over HTTP of keys of a primer with a batch compute computes them in batches. */
class BatchHttpTest {
  static final CountingBatchPrimer imports = new CountingBatchPrimer("http-batch");
  static ActorTestKit testKit;
  static String base;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("BatchHttpTest", TestNodes.config("""
        akka.actor.testkit.typed.system-shutdown-default = 30s
        kck.primers."http-batch".http-reads = compute
        kck.primers."http-batch".batch-size = 12
        kck.http.bulk.parallelism = 12
        kck.batch.linger = 2s
        """));
    Kck kck = Kck.start(testKit.system(), imports);
    ServerBinding binding = Stages.await(KckHttp.start(kck, "127.0.0.1", 0));
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aBulkGetOfOnePrimerUsesItsBatchCompute() throws Exception {
    List<String> keys = IntStream.range(0, 24).mapToObj(i -> "http-batch/r" + i).toList();
    String body = keys.stream().map(key -> "\"" + key + "\"").collect(Collectors.joining(",", "[", "]"));
    HttpResponse<String> bulk = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/bulk"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(200, bulk.statusCode(), bulk.body());
    JsonNode results = new ObjectMapper().readTree(bulk.body());
    for (int i = 0; i < 24; i++) {
      assertEquals("value of r" + i, results.get(i).get("value").asText(), results.get(i).toString());
    }
    // The bulk reads 12 keys at a time: each twelve fill one batch.
    assertEquals(2, imports.calls(), "batch calls: " + imports.batches());
  }
}
