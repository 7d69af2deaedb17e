package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TcpProxy;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A node started while PostgreSQL does not accept connections yet (a TCP proxy in front of it that
 * refuses them until the test opens it) waits for it: not ready meanwhile, one log line per
 * attempt, and it starts once the database answers; it fails, saying so, only after
 * kck.database.start-timeout.
 */
class StartupWaitTest {
  static final String WAIT_LOGGER = "io.kck.entity.node.DatabaseWait";

  @Test
  void aNodeWaitsForADatabaseThatAnswersLater() throws Exception {
    String database = TestNodes.ownDatabase("startup_wait");
    Matcher url = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/").matcher(database);
    assertTrue(url.find(), database);
    ListAppender<ILoggingEvent> log = capture();
    try (TcpProxy proxy = TcpProxy.to(url.group(1), Integer.parseInt(url.group(2)))) {
      proxy.cut(); // the database refuses connections until the gate opens
      ActorTestKit node = TestNodes.start("StartupWaitTest", TestNodes.config(
          database.replace(url.group(1) + ":" + url.group(2), "127.0.0.1:" + proxy.port())));
      try {
        long started = System.nanoTime();
        CompletableFuture<Kck> start = CompletableFuture.supplyAsync(
            () -> Kck.start(node.system(), new CountingPrimer("startup-wait")));
        // Not ready while it waits, saying for what.
        Health waiting = Eventually.until("the start to wait for the database", Duration.ofSeconds(60),
            () -> Kck.waitingForDatabase(node.system()), health -> health.isPresent()).orElseThrow();
        assertFalse(waiting.ready());
        assertTrue(waiting.checks().get(0).detail().contains("waits"), waiting.toString());
        // The database answers about ten seconds after the node started.
        Eventually.until("ten seconds of waiting", Duration.ofSeconds(60),
            () -> System.nanoTime() - started, nanos -> nanos >= Duration.ofSeconds(10).toNanos());
        assertFalse(start.isDone(), "Kck.start still waits");
        proxy.restore();

        Kck kck = Stages.await(start, Duration.ofSeconds(60));
        assertEquals("value of 1", Stages.await(kck.get("startup-wait/1")));
        assertTrue(Kck.waitingForDatabase(node.system()).isEmpty());
        long attempts = waitLines(log);
        // One line per attempt: a pause of at least 250 ms, doubling up to 5 s, plus the pool's 2 s
        // per attempt: a handful in ten seconds, never one per connection the pool tried.
        assertTrue(attempts >= 2 && attempts <= 20, attempts + " lines: " + lines(log));
        assertTrue(lines(log).stream().anyMatch(line -> line.contains("accepts connections after")), lines(log).toString());
      } finally {
        node.shutdownTestKit();
      }
    } finally {
      release(log);
    }
  }

  @Test
  void aNodeFailsSayingSoOnlyAfterTheStartTimeout() throws Exception {
    String database = TestNodes.ownDatabase("startup_timeout");
    Matcher url = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/").matcher(database);
    assertTrue(url.find(), database);
    try (TcpProxy proxy = TcpProxy.to(url.group(1), Integer.parseInt(url.group(2)))) {
      proxy.cut();
      ActorTestKit node = TestNodes.start("StartupWaitTest", TestNodes.config(
          database.replace(url.group(1) + ":" + url.group(2), "127.0.0.1:" + proxy.port())
              + "kck.database.start-timeout = 3s\n"));
      try {
        long started = System.nanoTime();
        CompletionException failure = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
            () -> CompletableFuture.supplyAsync(() -> Kck.start(node.system(), new CountingPrimer("startup-timeout"))).join());
        long waited = (System.nanoTime() - started) / 1_000_000;
        assertTrue(failure.getCause() instanceof IllegalStateException, failure.toString());
        String message = failure.getCause().getMessage();
        assertTrue(message.contains("kck.database.start-timeout = 3s") && message.contains("cannot create its tables"),
            message);
        assertTrue(waited >= 3000, "it waited the start timeout, not " + waited + " ms");
        assertTrue(Kck.waitingForDatabase(node.system()).isEmpty());
      } finally {
        node.shutdownTestKit();
      }
    }
  }

  private static ListAppender<ILoggingEvent> capture() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger wait = (Logger) LoggerFactory.getLogger(WAIT_LOGGER);
    wait.setLevel(Level.INFO); // the line that says the database answers
    wait.addAppender(appender);
    return appender;
  }

  private static void release(ListAppender<ILoggingEvent> appender) {
    Logger wait = (Logger) LoggerFactory.getLogger(WAIT_LOGGER);
    wait.detachAppender(appender);
    wait.setLevel(null);
  }

  private static java.util.List<String> lines(ListAppender<ILoggingEvent> appender) {
    synchronized (appender) {
      return appender.list.stream().map(event -> event.getLoggerName() + " " + event.getFormattedMessage()).toList();
    }
  }

  private static long waitLines(ListAppender<ILoggingEvent> appender) {
    return lines(appender).stream().filter(line -> line.contains("does not accept connections yet")).count();
  }
}
