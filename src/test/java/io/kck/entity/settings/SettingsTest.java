package io.kck.entity.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.entity.tier.TierLoader;
import io.kck.primer.ComputeContext;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.Propagation;
import io.kck.primer.internal.PrimerRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Settings are checked at start-up, and a mistake is reported at its full path. */
@Tag("unit")
class SettingsTest {
  private static final Config DEFAULTS = ConfigFactory.load();

  private final Primer<String> dailySales = Primer.builder("daily-sales", String.class)
      .parameters(Parameter.ofInt("register"))
      .compute((key, ctx) -> "x")
      .computeTimeout(Duration.ofSeconds(10))
      .freshness(Freshness.periodic(Duration.ofMinutes(1)))
      .propagation(Propagation.EAGER)
      .build();
  private final Primer<String> dotted = Primer.builder("sales.by.day", String.class)
      .compute((key, ctx) -> "x")
      .build();
  private final PrimerRegistry registry = PrimerRegistry.of(List.of(dailySales, dotted));

  private EntitySettings settings(String hocon) {
    return EntitySettings.fromConfig(ConfigFactory.parseString(hocon).withFallback(DEFAULTS), registry);
  }

  private IllegalArgumentException refused(String hocon) {
    return assertThrows(IllegalArgumentException.class, () -> settings(hocon));
  }

  private static void assertNames(String expected, Exception e) {
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }

  @Test
  void aPrimerWithoutABlockKeepsItsOwnChoicesAndTheLibraryDefaults() {
    PrimerSettings resolved = settings("").of(dailySales);

    assertEquals(new PrimerSettings(Duration.ofSeconds(10), Freshness.periodic(Duration.ofMinutes(1)),
        Duration.ofDays(1), Propagation.EAGER, true, false, 0, new RetentionPolicy(Duration.ofDays(30), false), false),
        resolved);
    assertEquals(Duration.ofSeconds(120), settings("").of(dotted).computeTimeout(), "kck.compute.timeout");
  }

  @Test
  void overridesWinOverThePrimersOwnChoices() {
    PrimerSettings resolved = settings("""
        kck.primers."daily-sales" {
          compute-timeout = 2m
          stale-if-error = 6h
          freshness { policy = max-age, soft-age = 1m, hard-age = 10m }
          propagation = lazy
          compute-on-miss = off
          max-concurrent-computes = 3
          keep-warm = on
          http-reads = compute
          retention { forget-after = 7d, forget-supplied = on }
          near-cache = on
        }
        """).of(dailySales);

    assertEquals(new PrimerSettings(Duration.ofMinutes(2), Freshness.maxAge(Duration.ofMinutes(1), Duration.ofMinutes(10)),
        Duration.ofHours(6), Propagation.LAZY, false, true, 3, new RetentionPolicy(Duration.ofDays(7), true), true),
        resolved);
  }

  @Test
  void nearCacheLimitsOutOfRangeAreNamed() {
    assertNames("kck.near-cache.max-age", refused("kck.near-cache.max-age = 0s"));
    assertNames("kck.near-cache.max-entries", refused("kck.near-cache.max-entries = 0"));
  }

  @Test
  void aPrimerRecomputedOnEveryGetCannotBeNearCached() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> settings("""
        kck.primers."daily-sales" {
          freshness { policy = always-fresh }
          near-cache = on
        }
        """).of(dailySales));
    assertTrue(error.getMessage().contains("kck.primers.\"daily-sales\".near-cache"), error.getMessage());
  }

  @Test
  void retentionIsOffOrAtLeastAMinuteAndAnUnknownRetentionSettingIsNamed() {
    assertNull(settings("kck.primers.\"daily-sales\".retention.forget-after = off").of(dailySales).retention().forgetAfter());
    assertNull(settings("kck.retention.forget-after = off").of(dotted).retention().forgetAfter(), "the library default");
    IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
        () -> settings("kck.primers.\"daily-sales\".retention.forget-after = 10s"));
    assertTrue(tooShort.getMessage().contains("kck.primers.\"daily-sales\".retention.forget-after"), tooShort.getMessage());
    IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
        () -> settings("kck.primers.\"daily-sales\".retention.forget-afer = 1d"));
    assertTrue(typo.getMessage().contains("forget-afer"), typo.getMessage());
  }

  @Test
  void resendAndBulkLoadSettingsAreCheckedAndNamed() {
    assertEquals(Duration.ofSeconds(5), EntitySettings.resendAfter(DEFAULTS));
    assertEquals(Duration.ZERO, EntitySettings.resendAfter(
        ConfigFactory.parseString("kck.request-resend-after = off").withFallback(DEFAULTS)));
    assertNames("kck.request-resend-after", assertThrows(IllegalArgumentException.class, () -> EntitySettings.resendAfter(
        ConfigFactory.parseString("kck.request-resend-after = 0s").withFallback(DEFAULTS))));
    assertNames("kck.read-tier.bulk-load.batch-size", assertThrows(IllegalArgumentException.class,
        () -> TierLoader.Settings.fromConfig(
            ConfigFactory.parseString("kck.read-tier.bulk-load.batch-size = 0").withFallback(DEFAULTS))));
  }

  @Test
  void theSweepsPageSizeIsCheckedAndNamed() {
    assertEquals(10_000, EntitySettings.sweepPageRows(DEFAULTS));
    assertNames("kck.retention.sweep-page-rows", assertThrows(IllegalArgumentException.class,
        () -> EntitySettings.sweepPageRows(
            ConfigFactory.parseString("kck.retention.sweep-page-rows = 0").withFallback(DEFAULTS))));
    // A setting of the sweep, not of a primer's retention: every setting resolves with it set.
    settings("kck.retention.sweep-page-rows = 500");
  }

  @Test
  void aPrimerWhoseNameHasDotsIsConfiguredByItsQuotedName() {
    PrimerSettings resolved = settings("kck.primers.\"sales.by.day\".propagation = lazy").of(dotted);

    assertEquals(Propagation.LAZY, resolved.propagation());
  }

  @Test
  void aTypoInAPrimersBlockIsRefusedAtItsFullPath() {
    IllegalArgumentException e = refused("kck.primers.\"daily-sales\".compute-timout = 2m");

    assertNames("kck.primers.\"daily-sales\".compute-timout", e);
    assertNames("compute-timeout", e); // the known settings are listed
  }

  @Test
  void aBlockForAPrimerThatIsNotRegisteredIsRefusedNamingIt() {
    IllegalArgumentException e = refused("kck.primers.\"daily-sale\".compute-timeout = 2m");

    assertNames("kck.primers.\"daily-sale\"", e);
    assertNames("daily-sales", e); // the registered ones are listed
  }

  @Test
  void anUnknownFreshnessPolicyIsRefusedAtItsPath() {
    IllegalArgumentException e = refused("kck.primers.\"daily-sales\".freshness.policy = sometimes");

    assertNames("kck.primers.\"daily-sales\".freshness", e);
    assertNames("sometimes", e);
  }

  @Test
  void anIncompleteFreshnessPolicyIsRefusedAtItsPath() {
    IllegalArgumentException e = refused("kck.primers.\"daily-sales\".freshness.policy = periodic");

    assertNames("kck.primers.\"daily-sales\".freshness", e);
    assertNames("interval", e);
  }

  @Test
  void anUnknownPropagationIsRefusedAtItsPath() {
    IllegalArgumentException e = refused("kck.primers.\"daily-sales\".propagation = sometimes");

    assertNames("kck.primers.\"daily-sales\".propagation must be eager or lazy", e);
  }

  @Test
  void aValueOfTheWrongTypeIsRefusedAtItsPath() {
    IllegalArgumentException e = refused("kck.primers.\"daily-sales\".compute-timeout = soon");

    assertNames("kck.primers.\"daily-sales\"", e);
    assertNames("compute-timeout", e);
  }

  @Test
  void aComputeTimeoutThatIsNotPositiveIsRefusedAtItsPath() {
    IllegalArgumentException e = refused("kck.primers.\"daily-sales\".compute-timeout = 0s");

    assertNames("kck.primers.\"daily-sales\".compute-timeout must be positive", e);
  }

  @Test
  void aNegativeStaleIfErrorIsRefusedAtItsPath() {
    IllegalArgumentException e = refused("kck.primers.\"daily-sales\".stale-if-error = -1s");

    assertNames("kck.primers.\"daily-sales\".stale-if-error must not be negative", e);
  }

  @Test
  void theEngineSettingsAreReadFromKck() {
    EntitySettings settings = settings("""
        kck.compute { backoff-min = 2s, backoff-max = 30s, backoff-factor = 3.0 }
        kck.dependencies.coalesce-window = 0s
        """);

    assertEquals(Duration.ofSeconds(2), settings.backoffMin());
    assertEquals(Duration.ofSeconds(30), settings.backoffMax());
    assertEquals(3.0, settings.backoffFactor());
    assertEquals(Duration.ZERO, settings.coalesceWindow());
    assertEquals(Duration.ofSeconds(18), settings.backoffAfter(3));
  }

  @Test
  void aBackoffMaximumBelowItsMinimumIsRefused() {
    IllegalArgumentException e = refused("kck.compute { backoff-min = 10s, backoff-max = 1s }");

    assertNames("kck.compute.backoff-max", e);
  }

  @Test
  void thePrimersSettingsAreOnlyKnownForRegisteredPrimers() {
    Primer<String> latecomer = Primer.builder("latecomer", String.class).compute((key, ctx) -> "x").build();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> settings("").of(latecomer));

    assertNames("'latecomer' was not registered", e);
  }

  @Test
  void aValueOfTheWrongShapeIsAnIllegalArgumentNamingItsPath() {
    assertNames("compute.timeout", refused("kck.compute.timeout = soon"));
    assertNames("kck.primers.\"daily-sales\" must be an object", refused("kck.primers.\"daily-sales\" = 5"));
    assertNames("kck.compute.backoff-min must be at least 1ms", refused("kck.compute.backoff-min = 500us"));
  }

  @Test
  void aBadTimeoutSetInCodeIsBlamedOnThePrimerNotOnTheConfiguration() {
    Primer<String> zero = new Primer<>("zero", String.class) {
      @Override
      public String compute(Key<String> key, ComputeContext<String> context) {
        return "x";
      }

      @Override
      public Optional<Duration> computeTimeout() {
        return Optional.of(Duration.ZERO);
      }
    };
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> EntitySettings.fromConfig(
        DEFAULTS, PrimerRegistry.of(List.of(zero))));
    assertNames("computeTimeout()", refused);
    // A builder refuses it at once, naming its parameter.
    IllegalArgumentException built = assertThrows(IllegalArgumentException.class,
        () -> Primer.builder("zero", String.class).computeTimeout(Duration.ZERO));
    assertNames("parameter 'timeout'", built);
  }
}
