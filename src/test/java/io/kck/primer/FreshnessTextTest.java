package io.kck.primer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.kck.primer.internal.FreshnessConfig;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A freshness policy reads as its HOCON settings (logs, {@code /api/primers}), not as an enum
 * constant ({@code INSTANCE}) or a record's ISO-8601 fields.
 */
@Tag("unit")
class FreshnessTextTest {

  @Test
  void eachPolicyReadsAsItsHoconSettings() {
    assertEquals("never-expires", Freshness.neverExpires().toString());
    assertEquals("always-fresh", Freshness.alwaysFresh().toString());
    assertEquals("periodic (interval = 5m, jitter = 0s)", Freshness.periodic(Duration.ofMinutes(5)).toString());
    assertEquals("periodic (interval = 90s, jitter = 1500ms)",
        Freshness.periodic(Duration.ofSeconds(90), Duration.ofMillis(1500)).toString());
    assertEquals("max-age (soft-age = 1h, hard-age = 2d)",
        Freshness.maxAge(Duration.ofHours(1), Duration.ofDays(2)).toString());
    assertEquals("max-age (soft-age = 1001ns, hard-age = 250us)",
        Freshness.maxAge(Duration.ofNanos(1001), Duration.ofNanos(250_000)).toString());
  }

  @Test
  void theTextReadsBackAsTheSamePolicy() {
    for (Freshness policy : new Freshness[] {Freshness.neverExpires(), Freshness.alwaysFresh(),
        Freshness.periodic(Duration.ofMinutes(5), Duration.ofSeconds(30)),
        Freshness.maxAge(Duration.ofMillis(1500), Duration.ofMinutes(10))}) {
      String text = policy.toString();
      String hocon = "policy = " + text.replaceFirst(" \\((.*)\\)$", ", $1");
      assertEquals(policy, FreshnessConfig.fromConfig("test", ConfigFactory.parseString(hocon)), hocon);
    }
  }
}
