package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.errors.KckException;
import io.kck.persistence.StoredValue;
import io.kck.persistence.ValueCodec;
import io.kck.primer.Augment;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Augment's deltas without an actor: what is refused with nothing applied, what a journaled delta makes, replay, reapply. */
@Tag("unit")
class DeltasTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final AtomicInteger applied = new AtomicInteger();
  static final Primer<Integer> COUNTER = Primer.builder("deltas-counter", Integer.class).parameters(ID)
      .compute((key, context) -> 0)
      .augment(Augment.<Integer, Integer>of(Integer.class, (value, delta) -> {
        applied.incrementAndGet();
        if (delta == 13) {
          throw new IllegalArgumentException("13 is refused");
        }
        return value + delta;
      }))
      .build();
  static final Primer<Integer> PLAIN = Primer.builder("deltas-plain", Integer.class).parameters(ID)
      .compute((key, context) -> 0).build();

  private final LocalRuntime local = LocalRuntime.held("", COUNTER, PLAIN);
  private final Key<Integer> key = COUNTER.key("k");
  private final Deltas deltas = new Deltas(key, local.runtime);
  private final TestInbox<KeyReply> caller = TestInbox.create("caller");

  @AfterEach
  void close() {
    local.close();
    applied.set(0);
  }

  private KeyState valued(int value, long version) {
    return new KeyState(StoredValue.of(value, local.runtime.codec(COUNTER)), version, LocalRuntime.START, Map.of(),
        Map.of(), Set.of(), Map.of(), null, false);
  }

  private KeyCommand.Augment augment(int delta, OptionalLong expected) {
    return new KeyCommand.Augment(StoredValue.of(delta, local.runtime.deltaCodec(COUNTER)), expected, caller.getRef());
  }

  private int valueOf(StoredValue stored) {
    return (Integer) stored.value(local.runtime.codec(COUNTER));
  }

  @Test
  void aDeltaForAnOlderVersionIsRefusedAsAConflictWithNothingApplied() {
    Deltas.Planned planned = deltas.plan(valued(10, 5), augment(1, OptionalLong.of(4)), 6);

    assertEquals(KckException.Kind.VERSION_CONFLICT, planned.refused().kind());
    assertTrue(planned.refused().message().contains("Nothing was applied"), planned.refused().message());
    assertNull(planned.event(), "no event to journal");
    assertEquals(0, applied.get(), "the augment function never ran");
  }

  @Test
  void aDeltaForTheCurrentVersionMakesTheNextVersionsValue() {
    Deltas.Planned planned = deltas.plan(valued(10, 5), augment(3, OptionalLong.of(5)), 6);

    assertNull(planned.refused());
    assertEquals(6, planned.event().version());
    assertEquals(13, valueOf(planned.next()));
    assertEquals(3, planned.delta());
  }

  @Test
  void aDeltaWithoutAnExpectedVersionAppliesToWhateverIsCurrent() {
    assertEquals(11, valueOf(deltas.plan(valued(10, 5), augment(1, OptionalLong.empty()), 6).next()));
  }

  @Test
  void aKeyWithoutAValueHasNothingToAugment() {
    assertEquals(KckException.Kind.NOTHING_TO_AUGMENT,
        deltas.plan(KeyState.EMPTY, augment(1, OptionalLong.empty()), 1).refused().kind());
    assertEquals(0, applied.get());
  }

  @Test
  void aDeltaTheFunctionRejectsIsRefusedAsInvalid() {
    Deltas.Planned planned = deltas.plan(valued(10, 5), augment(13, OptionalLong.of(5)), 6);

    assertEquals(KckException.Kind.INVALID_VALUE, planned.refused().kind());
    assertNull(planned.event());
  }

  @Test
  void aPrimerWithoutAugmentRefusesEveryDelta() {
    Deltas plain = new Deltas(PLAIN.key("k"), local.runtime);
    KeyState state = new KeyState(StoredValue.of(1, local.runtime.codec(PLAIN)), 1, LocalRuntime.START, Map.of(),
        Map.of(), Set.of(), Map.of(), null, false);

    assertEquals(KckException.Kind.INVALID_VALUE,
        plain.plan(state, new KeyCommand.Augment(StoredValue.fromJson("1".getBytes()), OptionalLong.empty(),
            caller.getRef()), 2).refused().kind());
  }

  @Test
  void deltasAppliedWhileARecomputeRanAreAppliedAgainOnItsResultInOrder() {
    StoredValue recomputed = StoredValue.of(100, local.runtime.codec(COUNTER));

    assertEquals(106, valueOf(deltas.reapply(recomputed, List.of(1, 2, 3))));
    assertThrows(IllegalArgumentException.class, () -> deltas.reapply(recomputed, List.of(13)),
        "a delta that no longer applies fails the recompute rather than being dropped");
  }

  @Test
  void theEventHandlerTakesThePreparedValueWithoutApplyingTheDeltaTwice() {
    Deltas.Planned planned = deltas.plan(valued(10, 5), augment(3, OptionalLong.of(5)), 6);
    deltas.prepare(planned);
    int before = applied.get();

    KeyState after = deltas.applyEvent(valued(10, 5), planned.event());

    assertEquals(before, applied.get());
    assertEquals(13, valueOf(after.value()));
    assertEquals(6, after.version());
  }

  @Test
  void aValueFarUnderTheLimitIsNotEncodedByEachDeltaWhileOneNearItIsMeasuredAndRefusedPastIt() {
    Primer<String> texts = Primer.builder("deltas-texts", String.class).parameters(ID)
        .compute((key, context) -> "")
        .augment(Augment.<String, String>of(String.class, (text, more) -> text + more))
        .build();
    try (LocalRuntime small = LocalRuntime.held("kck.max-value-bytes = 1KiB", texts)) {
      Deltas appending = new Deltas(texts.key("k"), small.runtime);
      StoredValue start = StoredValue.of("a".repeat(100), small.runtime.codec(texts));
      start.json(); // as a compute or a put leaves it: encoded, 102 bytes
      KeyState state = new KeyState(start, 1, LocalRuntime.START, Map.of(), Map.of(), Set.of(), Map.of(), null, false);

      // 102 + 12, then + 702: under 7/8 of the limit (896), the deltas' lengths added up, nothing encoded.
      state = applied(appending, small.runtime.deltaCodec(texts), state, "b".repeat(10), 2);
      assertEquals(-1, state.value().encodedLength(), "a value far under the limit is not encoded by a delta");
      state = applied(appending, small.runtime.deltaCodec(texts), state, "c".repeat(700), 3);
      assertEquals(-1, state.value().encodedLength());

      // + 102 makes the estimate 918, past 7/8 of the limit: the value is encoded and measured (912 bytes, it fits).
      state = applied(appending, small.runtime.deltaCodec(texts), state, "d".repeat(100), 4);
      assertEquals(912, state.value().encodedLength());

      // + 200 characters would make 1,112 bytes: refused, with nothing applied.
      KeyCommand.Augment tooMuch = new KeyCommand.Augment(StoredValue.of("e".repeat(200),
          small.runtime.deltaCodec(texts)), OptionalLong.empty(), caller.getRef());
      Deltas.Planned refused = appending.plan(state, tooMuch, 5);
      assertEquals(KckException.Kind.INVALID_VALUE, refused.refused().kind());
      assertTrue(refused.refused().message().contains("would be"), refused.refused().message());
    }
  }

  /** {@code state} after {@code delta} is planned and journaled as the key does it. */
  private KeyState applied(Deltas appending, ValueCodec codec, KeyState state, String delta, long version) {
    KeyCommand.Augment augment = new KeyCommand.Augment(StoredValue.of(delta, codec),
        OptionalLong.empty(), caller.getRef());
    Deltas.Planned planned = appending.plan(state, augment, version);
    assertNull(planned.refused());
    appending.prepare(planned);
    return appending.applyEvent(state, planned.event());
  }

  @Test
  void onReplayTheDeltaIsAppliedAgainAndOneThatNoLongerAppliesIsSetAsideKeepingItsVersion() {
    KeyEvent.DeltaApplied good = new KeyEvent.DeltaApplied(6, LocalRuntime.START,
        StoredValue.of(2, local.runtime.deltaCodec(COUNTER)), Map.of(), Map.of());
    KeyEvent.DeltaApplied bad = new KeyEvent.DeltaApplied(7, LocalRuntime.START,
        StoredValue.of(13, local.runtime.deltaCodec(COUNTER)), Map.of(), Map.of());

    KeyState replayed = deltas.applyEvent(deltas.applyEvent(valued(10, 5), good), bad);

    assertEquals(12, valueOf(replayed.value()));
    assertEquals(7, replayed.version(), "versions never go back");
    assertEquals(1, deltas.setAside());
    assertTrue(deltas.lastSetAside().contains("version 7"), deltas.lastSetAside());
  }
}
