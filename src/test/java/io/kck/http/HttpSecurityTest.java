package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.Kck;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Who may do what: a read token, writes closed without a write token, Host and Origin allow-lists,
 * JSON content types, and timeouts that agree, on a node configured as an operator would before
 * opening it.
 */
class HttpSecurityTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final Primer<String> notes = Primer.builder("sec-notes", String.class)
      .parameters(ID)
      .compute((key, context) -> "note " + key.get(ID))
      .build();
  /** Slower than kck.request-timeout (2 s), faster than its compute timeout. */
  static final Primer<String> slow = Primer.builder("sec-slow", String.class)
      .computeTimeout(Duration.ofSeconds(30))
      .compute((key, context) -> {
        Thread.sleep(4_000);
        return "late";
      })
      .build();

  static ActorTestKit testKit;
  static Kck kck;
  static int port;
  static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("HttpSecurityTest", TestNodes.config("""
        kck.http.read-token = "r3ad"
        kck.request-timeout = 2s
        kck.primers."sec-notes".http-reads = compute
        kck.primers."sec-slow".http-reads = compute
        kck.http.allowed-origins = ["https://dashboard.example"]
        akka.actor.testkit.typed.system-shutdown-default = 30s
        """));
    kck = Kck.start(testKit.system(), notes, slow);
    ServerBinding binding = Stages.await(KckHttp.start(kck, "127.0.0.1", 0));
    port = binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static RawHttp.Response send(String method, String target, String body, String... headers) throws Exception {
    return RawHttp.send(port, method, target, "127.0.0.1:" + port, body, headers);
  }

  static String code(RawHttp.Response response) throws Exception {
    return json.readTree(response.body()).get("code").asText();
  }

  @Test
  void theServiceRefusesToListenOnANonLoopbackAddressWithoutAWriteToken() {
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> KckHttp.start(kck, "0.0.0.0", 0));
    assertTrue(refused.getMessage().contains("kck.http.write-token"), refused.getMessage());
  }

  @Test
  void kckStartFailsWhenItsHttpServiceWouldListenOnANonLoopbackAddressWithoutAWriteToken() {
    ActorTestKit exposed = TestNodes.start("HttpExposedTest", TestNodes.config("""
        kck.http.enabled = on
        kck.http.interface = "0.0.0.0"
        kck.http.port = 0
        """));
    try {
      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Kck.start(exposed.system()));
      assertTrue(refused.getMessage().contains("kck.http.write-token"), refused.getMessage());
    } finally {
      exposed.shutdownTestKit();
    }
  }

  @Test
  void readsNeedTheReadTokenWithTheSchemeInAnyCase() throws Exception {
    RawHttp.Response anonymous = send("GET", "/api/keys/sec-notes/a", null);
    assertEquals(401, anonymous.status());
    assertEquals("UNAUTHORIZED", code(anonymous));
    assertEquals("Bearer", anonymous.headers().get("www-authenticate"));
    assertEquals(401, send("GET", "/api/keys/sec-notes/a", null, "Authorization", "Bearer wrong").status());
    assertEquals(401, send("GET", "/api/keys/sec-notes/a", null, "Authorization", "Bearer r3a").status());
    assertEquals(401, send("GET", "/api/primers", null).status(), "every /api read");
    assertEquals(401, send("POST", "/api/bulk", "[]", "Content-Type", "application/json").status(), "bulk reads too");
    for (String scheme : new String[] {"Bearer", "bearer", "BEARER"}) {
      RawHttp.Response read = send("GET", "/api/keys/sec-notes/a", null, "Authorization", scheme + " r3ad");
      assertEquals(200, read.status(), scheme + ": " + read.body());
    }
    assertEquals(200, send("GET", "/", null).status(), "the page itself is static and asks for the token");
  }

  @Test
  void writesAreClosedWithoutAWriteToken() throws Exception {
    for (String[] write : new String[][] {{"PUT", "/api/keys/sec-notes/w"}, {"DELETE", "/api/keys/sec-notes/w"},
        {"POST", "/api/refresh/sec-notes/w"}, {"PUT", "/api/warm/sec-notes/w"}}) {
      RawHttp.Response refused = send(write[0], write[1], "\"x\"", "Content-Type", "application/json",
          "Authorization", "Bearer r3ad");
      assertEquals(403, refused.status(), String.join(" ", write));
      assertEquals("FORBIDDEN", code(refused));
      assertTrue(refused.body().contains("no write token"), refused.body());
    }
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent(notes.key("w"))));
  }

  @Test
  void aForeignHostIsRefused() throws Exception {
    // A DNS-rebinding page: the browser connects to 127.0.0.1 but sends the attacker's name.
    RawHttp.Response rebound = RawHttp.send(port, "GET", "/api/keys/sec-notes/a", "evil.example:" + port, null,
        "Authorization", "Bearer r3ad");
    assertEquals(403, rebound.status());
    assertEquals("FORBIDDEN", code(rebound));
    assertEquals(403, RawHttp.send(port, "GET", "/", "evil.example", null).status(), "the page too");
    assertEquals(200, RawHttp.send(port, "GET", "/", "localhost:" + port, null).status());
    assertEquals(200, RawHttp.send(port, "GET", "/", "[::1]:" + port, null).status());
  }

  @Test
  void aCrossOriginTextPlainPostIsRefused() throws Exception {
    // What a page of another site can send without a CORS preflight: a text/plain POST.
    RawHttp.Response crossSite = send("POST", "/api/bulk", "[\"sec-notes/x\"]",
        "Origin", "https://evil.example", "Content-Type", "text/plain", "Authorization", "Bearer r3ad");
    assertEquals(403, crossSite.status());
    assertEquals("FORBIDDEN", code(crossSite));
    // Without an Origin (a form of an old browser, a script), text/plain is still refused.
    RawHttp.Response plain = send("POST", "/api/bulk", "[\"sec-notes/x\"]",
        "Content-Type", "text/plain", "Authorization", "Bearer r3ad");
    assertEquals(415, plain.status());
    assertEquals("UNSUPPORTED_MEDIA_TYPE", code(plain));
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent(notes.key("x"))), "nothing computed");

    // The service's own page (same origin) and an allowed origin get in.
    for (String origin : new String[] {"http://127.0.0.1:" + port, "https://dashboard.example"}) {
      RawHttp.Response allowed = send("POST", "/api/bulk", "[\"sec-notes/y\"]",
          "Origin", origin, "Content-Type", "application/json", "Authorization", "Bearer r3ad");
      assertEquals(200, allowed.status(), origin + ": " + allowed.body());
    }
    assertEquals(403, send("GET", "/api/primers", null, "Origin", "http://127.0.0.1:1", "Authorization", "Bearer r3ad")
        .status(), "another port is another origin");
  }

  @Test
  void aRequestThatRunsOutOfKcksTimeIsAnsweredWithJson() throws Exception {
    long started = System.nanoTime();
    RawHttp.Response late = send("GET", "/api/keys/sec-slow", null, "Authorization", "Bearer r3ad");
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(503, late.status(), late.body());
    assertEquals("UNAVAILABLE", code(late));
    assertTrue(late.headers().get("content-type").startsWith("application/json"));
    assertTrue(millis >= 1_900 && millis < 7_000, "answered after kck.request-timeout (2 s), took " + millis + " ms");
    assertFalse(late.headers().containsKey("server"));
  }
}
