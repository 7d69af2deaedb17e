package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kck.Kck;
import io.kck.testing.Eventually;
import io.kck.testing.TestNodes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The service logs where it listens as a URL an operator can paste: {@code http://127.0.0.1:<port>}. */
class HttpLogTest {

  @Test
  void theUrlIsTheBoundHostAndPort() throws Exception {
    assertEquals("http://127.0.0.1:8080", KckHttp.url(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 8080)));
    assertEquals("http://[0:0:0:0:0:0:0:1]:8080", KckHttp.url(new InetSocketAddress(InetAddress.getByName("::1"), 8080)));
    assertEquals("http://localhost:8080", KckHttp.url(new InetSocketAddress("localhost", 8080)), "no name/address form");
  }

  @Test
  void startingWithKckLogsTheServiceUrlWithTwoSlashes() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(HttpExtension.class),
        (Logger) LoggerFactory.getLogger(KckHttp.class));
    loggers.forEach(logger -> {
      logger.setLevel(Level.INFO);
      logger.addAppender(appender);
    });
    ActorTestKit testKit = TestNodes.start("HttpLogTest", TestNodes.config("""
        kck.http.enabled = on
        kck.http.interface = "127.0.0.1"
        kck.http.port = 0
        """));
    try {
      Kck.start(testKit.system());
      List<String> lines = Eventually.until("both start lines", () -> appender.list.stream()
              .map(ILoggingEvent::getFormattedMessage).filter(line -> line.startsWith("KCK's HTTP service")).toList(),
          found -> found.size() == 2);
      assertTrue(lines.stream().anyMatch(line -> line.matches("KCK's HTTP service listens on http://127\\.0\\.0\\.1:\\d+")),
          lines.toString());
      assertTrue(lines.stream().anyMatch(line -> line.matches("KCK's HTTP service on http://127\\.0\\.0\\.1:\\d+: .*")),
          lines.toString());
    } finally {
      loggers.forEach(logger -> {
        logger.detachAppender(appender);
        logger.setLevel(null);
      });
      testKit.shutdownTestKit();
    }
  }
}
