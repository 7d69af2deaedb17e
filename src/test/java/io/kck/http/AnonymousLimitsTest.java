package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.Kck;
import io.kck.primer.Freshness;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a client without a token cannot do: choose its own address for the per-client caps (by
 * writing X-Forwarded-For), or make a source system compute as often as it sends requests.
 */
class AnonymousLimitsTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final Primer<String> notes = Primer.builder("anon-notes", String.class)
      .parameters(ID)
      .compute((key, context) -> "note " + key.get(ID))
      .build();
  static final AtomicInteger tillComputes = new AtomicInteger();
  /** Like the sample's till: every get computes. */
  static final Primer<Integer> till = Primer.builder("anon-till", Integer.class)
      .parameters(ID)
      .freshness(Freshness.alwaysFresh())
      .compute((key, context) -> tillComputes.incrementAndGet())
      .build();

  static ActorTestKit testKit;
  static Kck kck;
  static int port;
  static String base;
  static final HttpClient client = HttpClient.newHttpClient();
  static final ObjectMapper json = new ObjectMapper();
  static final Random random = new Random(35);

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("AnonymousLimitsTest", TestNodes.config("""
        kck.http.write-token = "w"
        kck.http.trusted-proxies = ["127.0.0.70", "10.0.0.0/8"]
        kck.http.streams { max = 100, max-per-client = 2, keep-alive = 500ms }
        # Long enough that no second compute may start during the test: the count is exact.
        kck.http.anonymous-computes.interval = 1h
        kck.primers."anon-till".http-reads = compute
        akka.actor.testkit.typed.system-shutdown-default = 30s
        """));
    kck = Kck.start(testKit.system(), notes, till);
    ServerBinding binding = Stages.await(KckHttp.start(kck, "127.0.0.1", 0));
    port = binding.localAddress().getPort();
    base = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static String randomAddress() {
    return random.nextInt(1, 224) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
  }

  /** Opens an event stream from {@code from} with {@code forwardedFor} (null: none); its status, the socket kept. */
  static int stream(List<Socket> open, String from, String forwardedFor) throws Exception {
    // Connection: close, so that a refused stream does not keep its connection (the per-client
    // connection cap is not what this test is about).
    Socket socket = forwardedFor == null
        ? RawHttp.open(port, from, "/api/updates/anon-notes/s", "Connection", "close")
        : RawHttp.open(port, from, "/api/updates/anon-notes/s", "Connection", "close", "X-Forwarded-For", forwardedFor);
    int status = RawHttp.status(socket);
    if (status == 200) {
      open.add(socket);
    } else {
      socket.close();
    }
    return status;
  }

  @Test
  void aClientCannotChooseItsAddressWithXForwardedFor() throws Exception {
    Stages.await(kck.get(notes.key("s")));
    List<Socket> open = new ArrayList<>();
    try {
      // 300 streams from one process, each naming a random address: the socket's address counts.
      Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
      for (int i = 0; i < 300; i++) {
        statuses.merge(stream(open, "127.0.0.60", randomAddress() + ", " + randomAddress()), 1, Integer::sum);
      }
      assertEquals(Map.of(200, 2, 503, 298), statuses, "the per-client cap holds");
      // An honest client on another address is not refused.
      assertEquals(200, stream(open, "127.0.0.61", null));

      // Behind a listed proxy, the right-most address it did not append itself is the client...
      assertEquals(200, stream(open, "127.0.0.70", "198.51.100.1"));
      assertEquals(200, stream(open, "127.0.0.70", "203.0.113.9, 198.51.100.1"));
      // ...so a client writing its own X-Forwarded-For in front of the proxy's gains nothing,
      assertEquals(503, stream(open, "127.0.0.70", randomAddress() + ", 198.51.100.1"));
      // listed proxies in the chain are skipped, and other clients of the proxy have their own caps.
      assertEquals(503, stream(open, "127.0.0.70", "198.51.100.1, 10.1.2.3"));
      assertEquals(200, stream(open, "127.0.0.70", "198.51.100.2, 10.1.2.3"));
      // A hop that is not an address ends the walk at the proxy that reported it.
      assertEquals(200, stream(open, "127.0.0.70", "not-an-address"));
      assertEquals(200, stream(open, "127.0.0.70", "not-an-address"));
      assertEquals(503, stream(open, "127.0.0.70", "evil.example"));
    } finally {
      for (Socket socket : open) {
        socket.close();
      }
    }
  }

  @Test
  void anonymousGetsOfAnAlwaysFreshKeyComputeAtMostOnceAnInterval() throws Exception {
    int requests = 400;
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(32);
    for (int i = 0; i < requests; i++) {
      inFlight.acquire();
      all.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/keys/anon-till/1")).build(),
          HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> inFlight.release()));
    }
    int fresh = 0;
    long lastVersion = -1;
    for (CompletableFuture<HttpResponse<String>> one : all) {
      HttpResponse<String> response = one.get(2, TimeUnit.MINUTES);
      assertEquals(200, response.statusCode(), response.body());
      JsonNode entry = json.readTree(response.body());
      fresh += entry.get("stale").asBoolean() ? 0 : 1;
      lastVersion = Math.max(lastVersion, entry.get("version").asLong());
    }
    assertEquals(1, tillComputes.get(), "400 anonymous GETs, one compute");
    assertEquals(1, fresh, "the one that started it is fresh; the others are told the value is stale");
    assertEquals(1, lastVersion);
    // Bulk gets are reads too.
    HttpResponse<String> bulk = client.send(HttpRequest.newBuilder(URI.create(base + "/api/bulk"))
        .POST(HttpRequest.BodyPublishers.ofString("[\"anon-till/1\"]")).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    assertTrue(json.readTree(bulk.body()).get(0).get("stale").asBoolean(), bulk.body());
    assertEquals(1, tillComputes.get());

    // A caller with a token gets what always-fresh promises: a compute of its own.
    HttpResponse<String> trusted = client.send(HttpRequest.newBuilder(URI.create(base + "/api/keys/anon-till/1"))
        .header("Authorization", "Bearer w").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, trusted.statusCode(), trusted.body());
    assertFalse(json.readTree(trusted.body()).get("stale").asBoolean());
    assertEquals(2, tillComputes.get());
    // The limit is per key: another key computes once too.
    for (int i = 0; i < 20; i++) {
      client.send(HttpRequest.newBuilder(URI.create(base + "/api/keys/anon-till/2")).build(),
          HttpResponse.BodyHandlers.ofString());
    }
    assertEquals(3, tillComputes.get());
  }
}
