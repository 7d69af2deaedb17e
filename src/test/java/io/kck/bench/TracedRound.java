package io.kck.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import jdk.jfr.Event;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * One round of a case under a JDK Flight Recording of the named event types only (every event,
 * no stack traces), for the stage rows that say where a case's time goes.
 */
final class TracedRound {
  private TracedRound() {}

  /** What the traced round does. */
  interface Round {
    void run() throws Exception;
  }

  /**
   * Starts the JDK Flight Recorder, recording nothing, before a case's measured rounds. Its first
   * start rewrites KCK's event classes, and the JIT throws away the compiled code that inlined
   * them: started just before a traced round of few operations, that round would time the
   * interpreter (a propagation hop: 15 ms instead of 6). Started first, the measured rounds'
   * warm-up compiles the code again.
   */
  static void startRecorder() {
    try (Recording nothing = new Recording()) {
      nothing.start();
      nothing.stop();
    }
  }

  /** Runs {@code round} while the events of {@code types} and of {@code names} are recorded; answers them. */
  static List<RecordedEvent> record(List<Class<? extends Event>> types, List<String> names, Round round)
      throws Exception {
    Path file = Files.createTempFile("kck-traced-round", ".jfr");
    try (Recording recording = new Recording()) {
      types.forEach(type -> recording.enable(type).withThreshold(Duration.ZERO).withoutStackTrace());
      names.forEach(name -> recording.enable(name).withThreshold(Duration.ZERO).withoutStackTrace());
      recording.start();
      round.run();
      recording.stop();
      recording.dump(file);
      return RecordingFile.readAllEvents(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  static double millis(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e6;
  }
}
