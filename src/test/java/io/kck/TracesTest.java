package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.testing.Eventually;
import io.kck.testing.GraphPrimer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A JFR recording during a diamond update shows the wave: the source's change told to its two
 * dependents, their computes (requiring the source's new version), their changes told to the
 * bottom, and the bottom's compute; and keys loading their state.
 */
class TracesTest {
  private final GraphPrimer source = new GraphPrimer("trace-source", (id, context) -> "0");
  private final GraphPrimer left = new GraphPrimer("trace-left", (id, context) -> "L" + context.get("trace-source/" + id));
  private final GraphPrimer right = new GraphPrimer("trace-right", (id, context) -> "R" + context.get("trace-source/" + id));
  // The wave each compute of trace-bottom/d logged under (SLF4J MDC), "" for none.
  private final List<String> bottomWaves = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final GraphPrimer bottom = new GraphPrimer("trace-bottom", (id, context) -> {
    if (id.equals("d")) {
      bottomWaves.add(java.util.Objects.requireNonNullElse(org.slf4j.MDC.get("kck.wave"), ""));
    }
    return context.get("trace-left/" + id) + "+" + context.get("trace-right/" + id);
  });
  private ActorTestKit testKit;
  private Kck kck;

  @BeforeEach
  void start() {
    testKit = TestNodes.start("TracesTest", TestNodes.config(TestNodes.ownDatabase("traces")));
    kck = Kck.start(testKit.system(), source, left, right, bottom);
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aRecordingShowsAComputeAndTheWaveItCausesDownstream() throws Exception {
    assertEquals("L0+R0", Stages.await(kck.get("trace-bottom/d")));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    kck.admin().meters().add(registry);
    Path file = Files.createTempFile("kck-traces", ".jfr");
    try (Recording recording = new Recording()) {
      recording.enable("io.kck.Compute");
      recording.enable("io.kck.Propagate");
      recording.enable("io.kck.Recovery");
      recording.enable("io.kck.Persist");
      recording.start();
      Stages.await(kck.put("trace-source/d", "1"));
      Eventually.until("the bottom to see the new source", () -> Stages.await(kck.get("trace-bottom/d")), "L1+R1"::equals);
      Stages.await(kck.get("trace-bottom/never-before")); // a key that loads (and computes) for the first time
      recording.stop();
      recording.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    Files.deleteIfExists(file);

    Set<String> told = keysOf(events, "io.kck.Propagate");
    assertTrue(told.containsAll(Set.of("trace-source/d", "trace-left/d", "trace-right/d")), "changes told: " + told);
    RecordedEvent sourceTold = events.stream()
        .filter(event -> event.getEventType().getName().equals("io.kck.Propagate"))
        .filter(event -> event.getString("key").equals("trace-source/d")).findFirst().orElseThrow();
    assertEquals(2, sourceTold.getInt("dependents"));
    assertEquals(2, sourceTold.getLong("version"));

    List<RecordedEvent> computes = events.stream()
        .filter(event -> event.getEventType().getName().equals("io.kck.Compute")).toList();
    Set<String> computed = computes.stream().map(event -> event.getString("key")).collect(Collectors.toSet());
    assertTrue(computed.containsAll(Set.of("trace-left/d", "trace-right/d", "trace-bottom/d")), "computed: " + computed);
    RecordedEvent leftCompute = computes.stream().filter(event -> event.getString("key").equals("trace-left/d"))
        .findFirst().orElseThrow();
    assertEquals("input_changed", leftCompute.getString("cause"));
    assertTrue(leftCompute.getString("requires").contains("trace-source/d=2"), leftCompute.getString("requires"));
    assertTrue(keysOf(events, "io.kck.Recovery").contains("trace-bottom/never-before"), "a key that loaded");
    RecordedEvent sourceWritten = events.stream()
        .filter(event -> event.getEventType().getName().equals("io.kck.Persist"))
        .filter(event -> event.getString("key").equals("trace-source/d")).findFirst().orElseThrow();
    assertEquals("ValueStored", sourceWritten.getString("event"));
    assertEquals(2, sourceWritten.getLong("version"));
    assertTrue(keysOf(events, "io.kck.Persist").containsAll(Set.of("trace-left/d", "trace-right/d", "trace-bottom/d")),
        "the wave's writes");

    // One wave, named for its origin, from the source's change down to the bottom: in the traces...
    String wave = "trace-source/d@2";
    assertEquals(wave, leftCompute.getString("wave"));
    assertEquals(1, leftCompute.getLong("baseVersion"));
    assertEquals(wave, sourceTold.getString("wave"));
    assertTrue(events.stream().filter(event -> event.getEventType().getName().equals("io.kck.Propagate"))
        .filter(event -> event.getString("key").equals("trace-left/d"))
        .allMatch(event -> wave.equals(event.getString("wave"))), "the left's change is told as part of the wave");
    // ...in the logs of the bottom's computes (the first, a miss, belongs to none)...
    assertEquals("", bottomWaves.get(0));
    assertTrue(bottomWaves.size() > 1 && bottomWaves.subList(1, bottomWaves.size()).stream().allMatch(wave::equals),
        "the bottom's recomputes log under the wave: " + bottomWaves);
    // ...and in how far behind the origin each eager dependent's new version came.
    for (String primer : List.of("trace-left", "trace-right", "trace-bottom")) {
      assertTrue(registry.get("kck.propagation.lag").tag("primer", primer).timer().count() >= 1, primer);
    }
    kck.admin().meters().remove(registry);
  }

  private static Set<String> keysOf(List<RecordedEvent> events, String type) {
    return events.stream().filter(event -> event.getEventType().getName().equals(type))
        .map(event -> event.getString("key")).collect(Collectors.toSet());
  }
}
