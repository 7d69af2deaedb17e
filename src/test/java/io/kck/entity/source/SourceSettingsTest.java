package io.kck.entity.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The snapshot and clean-up settings of kck.sources are read, and a wrong one is refused by name. */
class SourceSettingsTest {
  private static Config with(String settings) {
    return ConfigFactory.parseString("kck.sources.url = \"jdbc:postgresql://db.example/sales\"\n" + settings)
        .withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void snapshotConnectionsWaitAndCleanIntervalComeFromTheConfiguration() {
    SourceSettings defaults = SourceSettings.fromConfig(with(""));
    assertEquals(4, defaults.snapshotConnections());
    assertEquals(Duration.ofSeconds(10), defaults.snapshotWait());
    assertEquals(Duration.ofHours(1), defaults.marksCleanInterval());
    SourceSettings tuned = SourceSettings.fromConfig(with("""
        kck.sources.snapshot-connections = 12
        kck.sources.snapshot-wait = 250ms
        kck.sources.marks-clean-interval = 10m
        """));
    assertEquals(12, tuned.snapshotConnections());
    assertEquals(Duration.ofMillis(250), tuned.snapshotWait());
    assertEquals(Duration.ofMinutes(10), tuned.marksCleanInterval());
  }

  @Test
  void aWrongValueIsRefusedNamingItsSetting() {
    for (String wrong : new String[] {"kck.sources.snapshot-connections = 0", "kck.sources.snapshot-wait = 0s",
        "kck.sources.marks-clean-interval = -1m"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> SourceSettings.fromConfig(with(wrong)));
      String path = wrong.substring(0, wrong.indexOf(' '));
      assertTrue(refused.getMessage().startsWith(path), refused.getMessage());
    }
  }
}
