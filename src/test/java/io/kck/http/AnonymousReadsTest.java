package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.Kck;
import io.kck.KeyInfo;
import io.kck.errors.InvalidValueException;
import io.kck.errors.NotCachedException;
import io.kck.errors.UnknownPrimerException;
import io.kck.primer.Primer;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.LiveKeys;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads by anybody who reaches the service (or calls {@code KckAdmin}) create nothing for keys
 * that have no value: no actor, no entry, no line on the operations page. A flood of made-up keys
 * leaves the node as it was.
 */
class AnonymousReadsTest {
  static final CountingPrimer plain = new CountingPrimer("anon-plain");
  static final CountDownLatch release = new CountDownLatch(1);
  static final CountingPrimer slow = new CountingPrimer("anon-slow").body((key, count) -> {
    release.await();
    return "slow " + count;
  });
  /** HTTP reads compute (kck.primers."anon-imported".http-reads), but its keys never compute on a miss. */
  static final Primer<String> imported = Primer.builder("anon-imported", String.class)
      .parameters(CountingPrimer.ID).computeOnMiss(false).compute((key, context) -> "never").build();

  static ActorTestKit testKit;
  static Kck kck;
  static String base;
  static final HttpClient client = HttpClient.newHttpClient();
  static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("AnonymousReadsTest", TestNodes.config("""
        kck.primers."anon-imported".http-reads = compute
        """));
    kck = Kck.start(testKit.system(), plain, slow, imported);
    ServerBinding binding = Stages.await(KckHttp.start(kck, "127.0.0.1", 0));
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    release.countDown();
    testKit.shutdownTestKit();
  }

  @Test
  void fiveThousandNeighbourhoodsOfMadeUpKeysStartNothing() throws Exception {
    Stages.await(kck.get("anon-plain/real"));
    Set<String> before = LiveKeys.entities(testKit);
    List<String> liveBefore = Stages.await(kck.admin().liveKeys());
    int computes = plain.computes();

    Semaphore inFlight = new Semaphore(32); // a busy client, not a queue the test itself overflows
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      inFlight.acquire();
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/neighbourhood/anon-plain/made-up-" + i)).build();
      answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .whenComplete((response, error) -> inFlight.release()));
    }
    for (CompletableFuture<HttpResponse<String>> answer : answers) {
      HttpResponse<String> response = answer.get();
      assertEquals(200, response.statusCode(), response.body());
      JsonNode key = json.readTree(response.body()).get("key");
      assertEquals("empty", key.get("status").asText(), response.body());
      assertEquals(0, key.get("version").asLong(), response.body());
    }

    assertEquals(before, LiveKeys.entities(testKit), "no actor, not even a shard's sentinel, was started");
    assertEquals(liveBefore, Stages.await(kck.admin().liveKeys()));
    assertEquals(computes, plain.computes());
    JsonNode real = json.readTree(get("/api/neighbourhood/anon-plain/real").body()).get("key");
    assertEquals("fresh", real.get("status").asText(), "a key with a value is still shown as it is");
  }

  @Test
  void inspectingKeysNobodyWroteStartsNothing() {
    Set<String> before = LiveKeys.entities(testKit);

    KeyInfo never = Stages.await(kck.admin().inspect(plain.key("never-written")));
    assertEquals(KeyInfo.State.EMPTY, never.state());
    assertEquals(0, never.version());
    assertEquals("anon-plain/never-written", never.key());

    CountingPrimer unregistered = new CountingPrimer("anon-unregistered");
    UnknownPrimerException unknown =
        Stages.failure(kck.admin().inspect(unregistered.key("x")), UnknownPrimerException.class);
    assertTrue(unknown.getMessage().contains("'anon-unregistered'"), unknown.getMessage());

    CountingPrimer lookalike = new CountingPrimer("anon-plain"); // the registered name, another object
    UnknownPrimerException other =
        Stages.failure(kck.admin().inspect(lookalike.key("x")), UnknownPrimerException.class);
    assertTrue(other.getMessage().contains("not the one registered under the name 'anon-plain'"), other.getMessage());

    InvalidValueException noWait =
        Stages.failure(kck.admin().inspect(plain.key("x"), null), InvalidValueException.class);
    assertTrue(noWait.getMessage().contains("'within'"), noWait.getMessage());
    InvalidValueException negative =
        Stages.failure(kck.admin().inspect(plain.key("x"), Duration.ofSeconds(-1)), InvalidValueException.class);
    assertTrue(negative.getMessage().contains("'within'"), negative.getMessage());

    assertEquals(before, LiveKeys.entities(testKit));
  }

  @Test
  void inspectStillSeesAKeyComputingItsFirstValue() {
    CompletableFuture<String> first = kck.get(slow.key("first")).toCompletableFuture();
    // Nothing is journaled before the compute ends: the key's running actor is what is asked.
    Eventually.until("the first compute to be seen running", () -> Stages.await(kck.admin().inspect(slow.key("first"))),
        KeyInfo::computing);
    release.countDown();
    assertEquals("slow 1", Stages.await(first));
    assertEquals(KeyInfo.State.READY, Stages.await(kck.admin().inspect(slow.key("first"))).state());
  }

  @Test
  void readsThatMayNotComputeStartNoActorForAKeyWithoutValue() throws Exception {
    Set<String> before = LiveKeys.entities(testKit);

    Stages.failure(kck.get(imported.key("absent")), NotCachedException.class);
    HttpResponse<String> read = get("/api/keys/anon-imported/absent");
    assertEquals(404, read.statusCode(), read.body());
    HttpResponse<String> stream = get("/api/updates/anon-imported/absent");
    assertEquals(404, stream.statusCode(), stream.body());
    HttpResponse<String> presentOnly = get("/api/updates/anon-plain/absent");
    assertEquals(404, presentOnly.statusCode(), presentOnly.body());

    assertEquals(before, LiveKeys.entities(testKit));
    Stages.await(kck.put(imported.key("given"), "imported"));
    assertEquals("imported", Stages.await(kck.get(imported.key("given"))), "a key with a value is read as before");
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
