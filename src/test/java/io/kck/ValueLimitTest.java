package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import io.kck.entity.settings.EntitySettings;
import io.kck.errors.ComputeFailedException;
import io.kck.errors.InvalidValueException;
import io.kck.primer.Augment;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.internal.PrimerRegistry;
import io.kck.testing.LiveKeys;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Values and deltas larger than {@code kck.max-value-bytes} are refused before the journal, with
 * an error that names the limit and the size; the key keeps what it had. (The node here allows
 * 1 KiB, so that the test needs no large values.)
 */
class ValueLimitTest {
  static final Parameter<Integer> SIZE = Parameter.ofInt("size");
  /** A text of {@code size} characters; it grows by what is augmented. */
  static final Primer<String> texts = Primer.builder("limit-texts", String.class)
      .parameters(SIZE)
      .compute((key, context) -> "x".repeat(key.get(SIZE)))
      .augment(Augment.of(String.class, (text, more) -> text + more))
      .build();

  static ActorTestKit testKit;
  static Kck kck;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("ValueLimitTest", TestNodes.config("kck.max-value-bytes = 1KiB"));
    kck = Kck.start(testKit.system(), texts);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aPutPastTheLimitIsRefusedBeforeAnythingIsSent() {
    Set<String> live = LiveKeys.of(testKit);
    InvalidValueException refused =
        Stages.failure(kck.put(texts.key(1), "y".repeat(2000)), InvalidValueException.class);
    assertEquals("limit-texts/1", refused.key());
    assertTrue(refused.getMessage().contains("2,002 bytes as JSON")
        && refused.getMessage().contains("kck.max-value-bytes allows (1 KiB = 1,024 bytes)"), refused.getMessage());
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent(texts.key(1))));
    assertEquals(live, LiveKeys.of(testKit), "no actor started for a refused put");

    assertEquals(1022, Stages.await(kck.put(texts.key(1), "y".repeat(1022))).value().length(),
        "a value of exactly the limit (1,024 bytes with its quotes) is taken");
  }

  @Test
  void aDeltaOrAnAugmentedValuePastTheLimitIsRefusedAndNothingIsApplied() {
    long version = Stages.await(kck.getEntry(texts.key(600))).version();

    InvalidValueException delta =
        Stages.failure(kck.augment(texts.key(600), "z".repeat(1100)), InvalidValueException.class);
    assertTrue(delta.getMessage().contains("its delta is 1,102 bytes as JSON"), delta.getMessage());

    InvalidValueException grown =
        Stages.failure(kck.augment(texts.key(600), "z".repeat(500)), InvalidValueException.class);
    assertTrue(grown.getMessage().contains("its value with the delta would be 1,102 bytes as JSON")
        && grown.getMessage().contains("kck.max-value-bytes"), grown.getMessage());

    Entry<String> after = Stages.await(kck.getEntry(texts.key(600)));
    assertEquals(version, after.version());
    assertEquals(600, after.value().length());
    assertEquals(version + 1, Stages.await(kck.augment(texts.key(600), "z".repeat(400))), "a delta that fits applies");
  }

  @Test
  void aComputeWhoseValueIsPastTheLimitFailsTheKeyAndStoresNothing() {
    ComputeFailedException failed = Stages.failure(kck.get(texts.key(5000)), ComputeFailedException.class);
    assertTrue(failed.getMessage().contains("its value is 5,002 bytes as JSON, more than kck.max-value-bytes allows"),
        failed.getMessage());
    assertEquals(Optional.empty(), Stages.await(kck.getIfPresent(texts.key(5000))));
  }

  @Test
  void theLimitIsCheckedAtStartAndDefaultsTo16MiB() {
    PrimerRegistry none = PrimerRegistry.of(List.of());
    assertEquals(16L << 20, EntitySettings.fromConfig(ConfigFactory.defaultReference().resolve(), none).maxValueBytes());
    IllegalArgumentException tiny = assertThrows(IllegalArgumentException.class, () -> EntitySettings.fromConfig(
        ConfigFactory.parseString("kck.max-value-bytes = 100").withFallback(ConfigFactory.defaultReference()).resolve(),
        none));
    assertTrue(tiny.getMessage().contains("kck.max-value-bytes"), tiny.getMessage());
  }
}
