package io.kck.logging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kck.testing.Eventually;
import io.kck.testing.TestNodes;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Logback 1.5 (SLF4J 2) behind Akka 2.8.5's SLF4J logging, which was built against SLF4J 1.7:
 * both Akka's classic event bus (through akka.event.slf4j.Slf4jLogger) and typed actors' loggers
 * reach Logback's appenders.
 */
class LoggingTest {
  @Test
  void akkaLogLinesReachLogback() {
    assertTrue(LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext,
        "SLF4J bound to " + LoggerFactory.getILoggerFactory().getClass());
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    ActorTestKit testKit = TestNodes.start("LoggingTest", TestNodes.config());
    try {
      testKit.system().classicSystem().log().warning("classic line {}", 1);
      testKit.system().log().warn("typed line {}", 2);
      Eventually.until("both lines in Logback", () -> appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList(),
          lines -> lines.contains("classic line 1") && lines.contains("typed line 2"));
    } finally {
      root.detachAppender(appender);
      testKit.shutdownTestKit();
    }
  }
}
