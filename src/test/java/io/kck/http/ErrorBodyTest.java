package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kck.Kck;
import io.kck.primer.Augment;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every error body the service can answer says what went wrong in the API's own words: no Java
 * class name, no setting's path, no exception text, whatever the code. One request (or more) per
 * {@link ErrorCode}, and the test fails when a code has none. And a client that closes an event
 * stream is ordinary: no stack trace in the log.
 */
class ErrorBodyTest {
  /** What the computes below throw: none of it may reach a client. */
  static final String SECRET = "java.sql.SQLException: kck.database.password=hunter2 at db.internal";
  static final Parameter<String> ID = Parameter.ofString("id");
  static final Primer<String> notes = Primer.builder("eb-notes", String.class)
      .parameters(ID)
      .compute((key, context) -> "note " + key.get(ID))
      .augment(Augment.of(String.class, (note, more) -> note + more))
      .build();
  static final Primer<String> plain = Primer.builder("eb-plain", String.class)
      .parameters(ID)
      .compute((key, context) -> "plain")
      .build();
  static final Primer<String> present = Primer.builder("eb-present", String.class)
      .parameters(ID)
      .compute((key, context) -> "present")
      .build();
  static final Primer<String> broken = Primer.builder("eb-broken", String.class)
      .compute((key, context) -> {
        throw new IllegalStateException(SECRET);
      })
      .build();
  static final Primer<String> slowCompute = Primer.builder("eb-slow-compute", String.class)
      .computeTimeout(Duration.ofMillis(300))
      .compute((key, context) -> {
        Thread.sleep(60_000); // interrupted at its timeout
        return "never";
      })
      .build();
  /** Slower than kck.request-timeout (5 s: a loaded machine starts a key's actor slowly), faster than its compute timeout. */
  static final Primer<String> slowAnswer = Primer.builder("eb-slow-answer", String.class)
      .computeTimeout(Duration.ofSeconds(30))
      .compute((key, context) -> {
        Thread.sleep(8_000);
        return "late";
      })
      .build();
  static final Primer<String> ping = Primer.builder("eb-ping", String.class)
      .compute((key, context) -> context.get(ErrorBodyTest.pong.key()))
      .build();
  static final Primer<String> pong = Primer.builder("eb-pong", String.class)
      .compute((key, context) -> context.get(ping.key()))
      .build();

  static ActorTestKit testKit;
  static Kck kck;
  static int port;
  static final ObjectMapper json = new ObjectMapper();
  static final Set<ErrorCode> seen = EnumSet.noneOf(ErrorCode.class);
  static final List<String> bodies = new ArrayList<>();

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("ErrorBodyTest", TestNodes.config("""
        kck.http.write-token = "w"
        kck.request-timeout = 5s
        # Akka's own lines reach SLF4J at every level; Logback's levels decide (WARN but in the log test).
        akka.loglevel = DEBUG
        kck.http.streams { max = 10, max-per-client = 1, keep-alive = 500ms }
        kck.primers."eb-notes".http-reads = compute
        kck.primers."eb-plain".http-reads = compute
        kck.primers."eb-broken".http-reads = compute
        kck.primers."eb-slow-compute".http-reads = compute
        kck.primers."eb-slow-answer".http-reads = compute
        kck.primers."eb-ping".http-reads = compute
        akka.actor.testkit.typed.system-shutdown-default = 30s
        """));
    kck = Kck.start(testKit.system(), notes, plain, present, broken, slowCompute, slowAnswer, ping, pong);
    ServerBinding binding = Stages.await(KckHttp.start(kck, "127.0.0.1", 0));
    port = binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** Checks one error body and notes its code. */
  static void check(int status, String body) throws Exception {
    JsonNode node = json.readTree(body);
    ErrorCode code = ErrorCode.valueOf(node.get("code").asText());
    assertEquals(code.status().intValue(), status, body);
    String message = node.get("message").asText();
    assertFalse(Problems.LEAK.matcher(message).find(), code + " names something internal: " + message);
    assertFalse(body.contains("hunter2") || body.contains("db.internal"), code + " leaks exception text: " + body);
    seen.add(code);
    bodies.add(body);
  }

  static void send(int status, String method, String target, String body, String... headers) throws Exception {
    RawHttp.Response response = RawHttp.send(port, method, target, "127.0.0.1:" + port, body, headers);
    assertEquals(status, response.status(), method + " " + target.substring(0, Math.min(60, target.length()))
        + ": " + response.body());
    check(response.status(), response.body());
  }

  static final String[] JSON = {"Content-Type", "application/json"};
  static final String[] WRITE = {"Content-Type", "application/json", "Authorization", "Bearer w"};

  static String[] with(String[] headers, String... more) {
    String[] all = java.util.Arrays.copyOf(headers, headers.length + more.length);
    System.arraycopy(more, 0, all, headers.length, more.length);
    return all;
  }

  @Test
  void everyErrorBodySaysWhatWithoutNamingTheInternals() throws Exception {
    send(400, "GET", "/api/keys/eb-notes/a/b", null);                                     // BAD_KEY
    send(400, "GET", "/api/keys/eb-notes/a%2", null);                                     // BAD_KEY, from parsing
    send(400, "PUT", "/api/keys/eb-notes/v", "{\"not\": \"a string\"}", WRITE);            // INVALID_VALUE
    send(400, "POST", "/api/augment/eb-plain/v", "\"x\"", WRITE);                          // INVALID_VALUE: no augment
    send(400, "PUT", "/api/keys/eb-notes/v", "{", WRITE);                                 // BAD_JSON
    send(400, "PUT", "/api/keys/eb-notes/v", "[".repeat(100) + "]".repeat(100), WRITE);   // BAD_JSON: depth
    send(400, "PUT", "/api/keys/eb-notes/v", "1".repeat(300), WRITE);                     // BAD_JSON: digits
    send(400, "POST", "/api/bulk", manyKeys(1001), JSON);                                 // BAD_REQUEST: too many
    send(400, "GET", "/api/live?limit=0", null);                                          // BAD_REQUEST
    send(400, "POST", "/api/augment/eb-notes/v", "\"x\"", with(WRITE, "If-Match", "abc")); // BAD_REQUEST
    send(401, "PUT", "/api/keys/eb-notes/v", "\"x\"", with(JSON, "Authorization", "Bearer nope")); // UNAUTHORIZED
    RawHttp.Response foreign = RawHttp.send(port, "GET", "/api/primers", "evil.example", null); // FORBIDDEN
    check(foreign.status(), foreign.body());
    send(403, "GET", "/api/primers", null, "Origin", "https://evil.example");            // FORBIDDEN
    send(404, "GET", "/api/keys/weather/today", null);                                    // UNKNOWN_PRIMER
    send(404, "GET", "/api/keys/eb-present/none", null);                                  // NOT_CACHED
    send(404, "GET", "/api/nothing-here", null);                                          // NOT_FOUND
    send(405, "PATCH", "/api/primers", "{}", JSON);                                        // METHOD_NOT_ALLOWED
    // A loaded machine may take longer than kck.request-timeout to start the key's actor.
    Eventually.until("a value of eb-notes/v", Eventually.PATIENCE, () -> Stages.await(kck.put(notes.key("v"), "one")),
        entry -> true);
    send(412, "PUT", "/api/keys/eb-notes/v", "\"x\"", with(WRITE, "If-Match", "\"99\""));  // VERSION_CONFLICT
    send(412, "POST", "/api/augment/eb-notes/v", "\"x\"", with(WRITE, "If-Match", "\"99\"")); // VERSION_CONFLICT
    send(409, "POST", "/api/augment/eb-notes/empty", "\"x\"", WRITE);                      // NOTHING_TO_AUGMENT
    tooLarge();                                                                            // TOO_LARGE
    send(414, "GET", "/api/keys/eb-notes/" + "x".repeat(3000), null);                      // URI_TOO_LONG
    send(415, "POST", "/api/bulk", "[]", "Content-Type", "text/plain");                    // UNSUPPORTED_MEDIA_TYPE
    send(431, "GET", "/api/primers", null, "X-Big", "b".repeat(20_000));                   // HEADERS_TOO_LARGE
    send(500, "GET", "/api/keys/eb-broken", null);                                        // COMPUTE_FAILED
    send(500, "GET", "/api/keys/eb-ping", null);                                          // DEPENDENCY_CYCLE
    send(503, "GET", "/api/keys/eb-slow-answer", null);                                   // UNAVAILABLE
    send(504, "GET", "/api/keys/eb-slow-compute", null);                                  // COMPUTE_TIMEOUT
    Stages.await(kck.get(notes.key("s")));
    try (Socket stream = RawHttp.open(port, "127.0.0.80", "/api/updates/eb-notes/s")) {
      assertEquals(200, RawHttp.status(stream));
      try (Socket second = RawHttp.open(port, "127.0.0.80", "/api/updates/eb-notes/s", "Connection", "close")) {
        assertEquals(503, RawHttp.status(second));                                        // OVERLOADED
        String rest = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        check(503, rest.substring(rest.indexOf("\r\n\r\n") + 4));
      }
    }
    // INTERNAL: a failure that is no KckException has no request that makes it on purpose.
    check(500, new String(Problems.write(new Problems(false).node(new IllegalArgumentException(SECRET), "k")),
        StandardCharsets.UTF_8));
    // And Akka's own texts, whatever they say, go out only when they name nothing internal.
    for (ErrorCode code : ErrorCode.values()) {
      String text = Problems.fromAkka(code, "EntityStreamSizeException: limit set via `akka.http.parsing.max-content-length`");
      assertFalse(Problems.LEAK.matcher(text).find(), text);
    }

    assertEquals(EnumSet.allOf(ErrorCode.class), seen, "a request for every code");
    System.out.println(bodies.size() + " error bodies checked, e.g. " + bodies.get(5));
  }

  /** A stream of eb-notes/closed from 127.0.0.90, or null (closed) when refused. */
  private static Socket openStream() throws Exception {
    Socket socket = RawHttp.open(port, "127.0.0.90", "/api/updates/eb-notes/closed");
    if (RawHttp.status(socket) == 200) {
      return socket;
    }
    socket.close();
    return null;
  }

  private static String manyKeys(int count) {
    StringBuilder keys = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      keys.append(i == 0 ? "" : ",").append("\"eb-notes/k").append(i).append('"');
    }
    return keys.append(']').toString();
  }

  private static void tooLarge() throws Exception {
    // Refused by its declared length; see HttpTest.aBodyLargerThanTheLimitIs413Json for the retries.
    RawHttp.Response response = null;
    for (int attempt = 1; response == null; attempt++) {
      try {
        response = RawHttp.declaring(port, "PUT", "/api/keys/eb-notes/big", 5 * 1024 * 1024, WRITE);
      } catch (SocketException reset) {
        if (attempt == 5) {
          throw reset;
        }
      }
    }
    assertEquals(413, response.status());
    check(413, response.body());
  }

  @Test
  void aClientClosingItsEventStreamLogsNoStackTrace() throws Exception {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    // Every level, as a node without a logging configuration logs (Logback's default is DEBUG).
    Level before = root.getLevel();
    List<Logger> quieted = List.of((Logger) LoggerFactory.getLogger("akka.stream"), (Logger) LoggerFactory.getLogger("io.kck"));
    List<Level> quietedBefore = quieted.stream().map(Logger::getLevel).toList();
    root.setLevel(Level.DEBUG);
    quieted.forEach(logger -> logger.setLevel(Level.DEBUG));
    root.addAppender(appender);
    try {
      Stages.await(kck.get(notes.key("closed")));
      // One stream per client here: a client's next stream is accepted once the service has
      // noticed that the one before was closed, so each close below is complete before the next.
      Socket stream = openStream();
      for (int i = 0; i < 6; i++) {
        // As clients leave: half with a reset (unread data, or no linger), half with a clean FIN.
        if (i % 2 == 0) {
          stream.setSoLinger(true, 0);
        } else {
          stream.shutdownOutput();
        }
        stream.close();
        // New versions while the service has not noticed yet: the first is written to a closed
        // connection, the next ones arrive while the stream ends (which used to log a stack trace).
        for (int version = 0; version < 3; version++) {
          Stages.await(kck.put(notes.key("closed"), "after close " + i + "." + version));
        }
        stream = Eventually.until("the closed stream's slot to come back", Eventually.PATIENCE,
            ErrorBodyTest::openStream, opened -> opened != null);
      }
      stream.close();
      List<ILoggingEvent> events;
      synchronized (appender) { // Logback appends under the appender's lock
        events = new ArrayList<>(appender.list);
      }
      List<String> traces = events.stream().filter(event -> event.getThrowableProxy() != null)
          .map(event -> event.getLoggerName() + ": " + event.getFormattedMessage() + " / "
              + event.getThrowableProxy().getClassName())
          .toList();
      assertEquals(List.of(), traces, "closed event streams are no failures");
    } finally {
      root.detachAppender(appender);
      root.setLevel(before);
      for (int i = 0; i < quieted.size(); i++) {
        quieted.get(i).setLevel(quietedBefore.get(i));
      }
    }
  }
}
