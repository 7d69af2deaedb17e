package io.kck.entity.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.primer.Primer;
import io.kck.primer.internal.PrimerRegistry;
import io.kck.testing.CountingBatchPrimer;
import io.kck.testing.CountingPrimer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** kck.batch and kck.primers."<name>".batch-size: resolved per primer, and refused naming the path when wrong. */
class BatchSettingsTest {
  private static final Config DEFAULTS = ConfigFactory.load();
  private final CountingBatchPrimer batched = new CountingBatchPrimer("batched");
  private final Primer<String> ownSize = Primer.builder("own-size", String.class)
      .computeAll(batch -> { }).batchSize(7).build();
  private final CountingPrimer single = new CountingPrimer("single");
  private final PrimerRegistry registry = PrimerRegistry.of(List.of(batched, ownSize, single));

  private BatchSettings read(String hocon) {
    return BatchSettings.fromConfig(ConfigFactory.parseString(hocon).withFallback(DEFAULTS), registry);
  }

  @Test
  void theLibraryDefaultThePrimersOwnSizeAndHoconInThatOrderOfPrecedence() {
    BatchSettings defaults = read("");
    assertEquals(100, defaults.sizeOf(batched));
    assertEquals(7, defaults.sizeOf(ownSize));
    assertEquals(Duration.ofMillis(10), defaults.linger());

    BatchSettings tuned = read("""
        kck.batch { size = 50, linger = 0s }
        kck.primers."own-size".batch-size = 3
        """);
    assertEquals(50, tuned.sizeOf(batched));
    assertEquals(3, tuned.sizeOf(ownSize));
    assertEquals(Duration.ZERO, tuned.linger());
  }

  @Test
  void badValuesFailNamingTheirPath() {
    assertNames("kck.batch.size", () -> read("kck.batch.size = 0"));
    assertNames("kck.batch.linger", () -> read("kck.batch.linger = -1ms"));
    assertNames("kck.primers.\"batched\".batch-size", () -> read("kck.primers.\"batched\".batch-size = 0"));
    assertNames("kck.primers.\"single\".batch-size", () -> read("kck.primers.\"single\".batch-size = 10"));
    assertNames("kck.batch", () -> read("kck.batch.size = many"));
  }

  private static void assertNames(String path, Executable read) {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, read);
    assertTrue(refused.getMessage().contains(path), refused.getMessage());
  }
}
