package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.Kck;
import io.kck.errors.KckException;
import io.kck.primer.KeyCorpus;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP and the Java API agree on keys: every text of KeyTest's corpus, sent as it is in a request
 * target, is the same canonical key over HTTP as {@code Kck.key} makes of it, or the same error
 * code as the Java API's exception maps to.
 */
class KeyAgreementTest {
  static ActorTestKit testKit;
  static Kck kck;
  static int port;
  static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("KeyAgreementTest", TestNodes.config("""
        kck.http.reads = compute
        akka.actor.testkit.typed.system-shutdown-default = 30s
        """));
    kck = Kck.start(testKit.system(), KeyCorpus.primers());
    ServerBinding binding = Stages.await(KckHttp.start(kck, "127.0.0.1", 0));
    port = binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theSameTextIsTheSameKeyOrTheSameErrorInBoth() throws Exception {
    for (List<String> good : KeyCorpus.GOOD) {
      String canonical = kck.key(good.get(0)).text();
      RawHttp.Response response = RawHttp.send(port, "GET", "/api/keys/" + good.get(0), "127.0.0.1", null);
      assertEquals(200, response.status(), good.get(0) + ": " + response.body());
      assertEquals(canonical, json.readTree(response.body()).get("key").asText(), good.get(0));
    }
    for (String bad : KeyCorpus.BAD) {
      ErrorCode expected;
      try {
        kck.key(bad);
        throw new AssertionError("the Java API took " + bad);
      } catch (KckException e) {
        expected = ErrorCode.of(e.kind());
      }
      RawHttp.Response response = RawHttp.send(port, "GET", "/api/keys/" + bad, "127.0.0.1", null);
      JsonNode body = json.readTree(response.body());
      assertEquals(expected.status().intValue(), response.status(), bad + ": " + response.body());
      assertEquals(expected.name(), body.get("code").asText(), bad + ": " + response.body());
    }
  }

  /**
   * Digits of other scripts sent raw (UTF-8 in the request line, as a client that does not encode
   * sends them) are refused too (400), never read as the key of ASCII digits. Percent-encoded, the
   * corpus above has them refused as parameters, like the Java API.
   */
  @Test
  void otherScriptsDigitsSentRawAreRefused() throws Exception {
    for (String one : List.of("\uFF11", "\u0661")) {
      String raw = new String(one.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1); // RawHttp writes Latin-1
      RawHttp.Response response =
          RawHttp.send(port, "GET", "/api/keys/everything/" + raw + "/2/n/true/2026-01-01/STORE/1.00", "127.0.0.1", null);
      assertEquals(400, response.status(), one + ": " + response.body());
      assertFalse(response.body().contains("\"value\""), one + ": " + response.body());
    }
  }
}
