package io.kck.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kck.Kck;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TcpProxy;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a person reads during an outage: one line when the database goes, one when it is back, and
 * at most one line per key per window (no stack traces) however often the key restarts meanwhile,
 * each under the logger of the part that acts; a compute's failure under the key's logger, not
 * retention's.
 */
class OutageLogTest {
  static final String KEY_LOGGER = "io.kck.entity.key.KeyEntity";
  static final int KEYS = 5;

  @Test
  void anOutageReadsAsOneLineEachWayAndOneLinePerKey() throws Exception {
    String database = TestNodes.ownDatabase("outage_log");
    Matcher url = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/").matcher(database);
    assertTrue(url.find(), database);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger keys = (Logger) LoggerFactory.getLogger(KEY_LOGGER);
    Level keysLevel = keys.getLevel();
    keys.setLevel(Level.WARN); // the tests' logback file keeps the key's warnings quiet
    root.addAppender(appender);
    try (TcpProxy proxy = TcpProxy.to(url.group(1), Integer.parseInt(url.group(2)))) {
      ActorTestKit node = TestNodes.start("OutageLogTest", TestNodes.config(
          database.replace(url.group(1) + ":" + url.group(2), "127.0.0.1:" + proxy.port())
              + "kck.journal.circuit-breaker.call-timeout = 3s\n"));
      try {
        Kck kck = Kck.start(node.system(), new CountingPrimer("outage-log"),
            new CountingPrimer("outage-log-fails").body((key, count) -> {
              throw new IllegalStateException("no sales for " + key);
            }));
        CompletionException computeFailed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
            () -> kck.get("outage-log-fails/1").toCompletableFuture().join());
        assertTrue(computeFailed.getMessage().contains("no sales"), computeFailed.toString());
        for (int i = 0; i < KEYS; i++) {
          Stages.await(kck.put("outage-log/" + i, "before"));
        }

        proxy.cut();
        long cutAt = System.nanoTime();
        for (int i = 0; i < KEYS; i++) {
          kck.put("outage-log/" + i, "during"); // fails: the key restarts, again and again while it cannot load
        }
        kck.get("outage-log/cold"); // a key that must load: it fails to, again and again
        // Each key restarts about once a second (kck.entity.journal-backoff-max): ten seconds are
        // many restarts each, which used to be as many ERRORs with stack traces.
        Eventually.until("every key to have failed, and ten seconds of outage", Duration.ofSeconds(90),
            () -> lines(appender), lines -> System.nanoTime() - cutAt > Duration.ofSeconds(10).toNanos()
                && keyLines(lines, "outage-log/cold") == 1
                && java.util.stream.IntStream.range(0, KEYS).allMatch(i -> keyLines(lines, "outage-log/" + i) == 1));

        proxy.restore();
        Eventually.until("a write to succeed again", Duration.ofSeconds(60),
            () -> Stages.await(kck.put("outage-log/0", "after"), Duration.ofSeconds(5)), entry -> true);
        Eventually.until("the line that says the database is back", Duration.ofSeconds(30), () -> lines(appender),
            lines -> count(lines, "DatabaseHealth", "reachable again") == 1);
      } finally {
        node.shutdownTestKit();
      }
    } finally {
      root.detachAppender(appender);
      keys.setLevel(keysLevel);
    }

    List<String> lines = lines(appender);
    String all = String.join("\n", lines);
    assertEquals(1, count(lines, "io.kck.persistence.DatabaseHealth", "is unreachable"), all);
    assertEquals(1, count(lines, "io.kck.persistence.DatabaseHealth", "reachable again"), all);
    for (int i = 0; i < KEYS; i++) {
      assertEquals(1, keyLines(lines, "outage-log/" + i), "one line for outage-log/" + i + " in its window:\n" + all);
    }
    assertEquals(1, keyLines(lines, "outage-log/cold"), all);
    assertTrue(lines.stream().anyMatch(line -> line.startsWith("WARN io.kck.entity.key.JournaledKey Key 'outage-log/cold'"
        + " cannot load its state from the journal: ")), "a failed load says why:\n" + all);
    assertEquals(0, lines.stream().filter(line -> line.contains("RestartSupervisor") || line.contains("[stack trace]")).count(),
        "no restart logged by Akka, no stack trace:\n" + all);
    assertTrue(lines.stream().anyMatch(line -> line.startsWith("WARN " + KEY_LOGGER + " Compute of key 'outage-log-fails/1'")),
        "a compute's failure is the key's:\n" + all);
    assertEquals(0, lines.stream().filter(line -> line.contains("io.kck.entity.key.Retention")).count(), all);
  }

  private static List<String> lines(ListAppender<ILoggingEvent> appender) {
    synchronized (appender) {
      return appender.list.stream().filter(event -> event.getLoggerName().startsWith("io.kck")
              || event.getLoggerName().startsWith("akka"))
          .map(event -> event.getLevel() + " " + event.getLoggerName() + " " + event.getFormattedMessage()
              + (event.getThrowableProxy() != null ? " [stack trace]" : ""))
          .toList();
    }
  }

  /** Lines of the key's journal failures. */
  private static long keyLines(List<String> lines, String key) {
    return lines.stream().filter(line -> line.startsWith("WARN io.kck.entity.key.JournaledKey Key '" + key + "' ")).count();
  }

  private static long count(List<String> lines, String logger, String text) {
    return lines.stream().filter(line -> line.contains(logger) && line.contains(text)).count();
  }
}
