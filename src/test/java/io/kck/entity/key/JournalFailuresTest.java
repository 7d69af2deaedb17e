package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A key's journal failures: one line per window, counting the quiet ones, without a stack trace. */
@Tag("unit")
class JournalFailuresTest {
  @Test
  void oneLinePerKeyPerWindowAndTheNextCountsTheFailuresBetween() {
    AtomicLong now = new AtomicLong();
    JournalFailures failures = new JournalFailures(Duration.ofSeconds(60), now::get);
    List<ILoggingEvent> lines = capture(() -> {
      for (int second = 0; second < 90; second++) { // a restart a second, for a minute and a half
        now.set(Duration.ofSeconds(second).toNanos());
        failures.loadFailed("a/1", new IllegalStateException("Exception during recovery of a/1",
            new SQLTransientConnectionException("db - Connection is not available")));
        failures.writeFailed("a/2");
      }
    });
    List<String> texts = lines.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(4, texts.size(), String.join("\n", texts));
    assertTrue(texts.get(0).startsWith("Key 'a/1' cannot load its state from the journal: db - Connection is not"
        + " available; ") && texts.get(0).endsWith("within 60s are not logged"), texts.get(0));
    assertTrue(texts.get(1).startsWith("Key 'a/2' could not write to the journal;"), texts.get(1));
    assertTrue(texts.get(2).startsWith("Key 'a/1' ") && texts.get(2).contains("after 59 more failures since its last line"),
        texts.get(2));
    assertTrue(lines.stream().allMatch(line -> line.getThrowableProxy() == null), "no stack trace");
    assertTrue(lines.stream().allMatch(line -> line.getLoggerName().equals(JournaledKey.class.getName())));
  }

  @Test
  void aWindowOfZeroLogsEveryFailure() {
    JournalFailures failures = new JournalFailures(Duration.ZERO, new AtomicLong()::get);
    assertEquals(3, capture(() -> {
      for (int i = 0; i < 3; i++) {
        failures.writeFailed("a/1");
      }
    }).size());
  }

  private static List<ILoggingEvent> capture(Runnable work) {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger logger = (Logger) LoggerFactory.getLogger(JournaledKey.class);
    logger.addAppender(appender);
    try {
      work.run();
    } finally {
      logger.detachAppender(appender);
    }
    return List.copyOf(appender.list);
  }
}
