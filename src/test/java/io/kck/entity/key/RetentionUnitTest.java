package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestInbox;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.settings.RetentionPolicy;
import io.kck.persistence.StoredValue;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One key's side of the retention, without an actor: why a key is kept (each reason a caller of
 * {@code KckAdmin} or the sweep's report reads), when a get records a use, and what forgetting does.
 */
@Tag("unit")
class RetentionUnitTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final Primer<String> PRIMER = Primer.builder("retention-unit", String.class).parameters(ID)
      .compute((key, context) -> "never runs here").build();
  static final Duration THIRTY_DAYS = Duration.ofDays(30);

  private final LocalRuntime local = LocalRuntime.held("", PRIMER);
  private final Key<String> key = PRIMER.key("a");
  private final java.util.concurrent.atomic.AtomicReference<TestInbox<KeyCommand>> self =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final TestInbox<ClusterSharding.ShardCommand> shard = TestInbox.create("shard");
  private final RecordingTimers timers = new RecordingTimers();

  @AfterEach
  void close() {
    local.close();
  }

  private Retention retention(RetentionPolicy policy) {
    return LocalRuntime.stubbed(context -> new Retention(key, policy, local.runtime, context, shard.getRef(),
        timers), self);
  }

  private KeyState state(Instant usedAt, Set<String> dependents, boolean supplied) {
    return new KeyState(StoredValue.of("v", local.runtime.codec(PRIMER)), 4, LocalRuntime.START.minus(Duration.ofDays(90)),
        Map.of("up/a", 1L), Map.of("up/a", 1L), dependents, Map.of(), usedAt, supplied);
  }

  private KeyState unused() {
    return state(LocalRuntime.START.minus(THIRTY_DAYS).minusSeconds(1), Set.of(), false);
  }

  @Test
  void anUnusedKeyNobodyReadsMayBeForgotten() {
    assertNull(retention(new RetentionPolicy(THIRTY_DAYS, false)).keptBecause(unused(), true));
  }

  @Test
  void aPrimerThatKeepsItsKeysKeepsThem() {
    assertEquals("its primer keeps its keys (retention forget-after = off)",
        retention(RetentionPolicy.KEEP).keptBecause(unused(), true));
  }

  @Test
  void aKeyThatHandledAnythingBeforeTheForgetIsInUse() {
    assertEquals("it is running: in use", retention(new RetentionPolicy(THIRTY_DAYS, false)).keptBecause(unused(), false));
  }

  @Test
  void aKeyOtherKeysReadIsKept() {
    String why = retention(new RetentionPolicy(THIRTY_DAYS, false))
        .keptBecause(state(LocalRuntime.START.minus(Duration.ofDays(60)), Set.of("down/x"), false), true);

    assertEquals("other keys read it: [down/x]", why);
  }

  @Test
  void aKeyUsedWithinForgetAfterIsKeptAndSaysWhen() {
    Instant used = LocalRuntime.START.minus(THIRTY_DAYS);

    String why = retention(new RetentionPolicy(THIRTY_DAYS, false)).keptBecause(state(used, Set.of(), false), true);

    assertEquals("it was used at " + used + ", within " + THIRTY_DAYS, why);
  }

  @Test
  void aSuppliedValueIsKeptUnlessThePolicyForgetsSuppliedValues() {
    KeyState supplied = state(LocalRuntime.START.minus(Duration.ofDays(60)), Set.of(), true);

    assertEquals("its value holds data the application gave (retention forget-supplied = off)",
        retention(new RetentionPolicy(THIRTY_DAYS, false)).keptBecause(supplied, true));
    assertNull(retention(new RetentionPolicy(THIRTY_DAYS, true)).keptBecause(supplied, true));
  }

  @Test
  void onlyTheFirstCommandOfAnIncarnationCountsAsFirst() {
    Retention retention = retention(new RetentionPolicy(THIRTY_DAYS, false));

    assertTrue(retention.firstCommand(unused(), KeyCommand.Passivate.INSTANCE));
    assertFalse(retention.firstCommand(unused(), KeyCommand.Passivate.INSTANCE));
    retention.reset(); // the key restarted
    assertTrue(retention.firstCommand(unused(), KeyCommand.Passivate.INSTANCE));
  }

  @Test
  void aGetOfAKeyWhoseLastRecordedUseIsOlderThanTheTouchIntervalRecordsAUseOnce() {
    Retention retention = retention(new RetentionPolicy(THIRTY_DAYS, false));
    KeyState usedFourDaysAgo = state(LocalRuntime.START.minus(Duration.ofDays(4)), Set.of(), false); // touch: 3 days
    KeyState usedADayAgo = state(LocalRuntime.START.minus(Duration.ofDays(1)), Set.of(), false);
    KeyCommand.Get get = new KeyCommand.Get(TestInbox.<KeyReply>create("caller").getRef());

    retention.firstCommand(usedADayAgo, get);
    assertFalse(self.get().hasMessages(), "a use recorded a day ago is recent enough");
    retention.firstCommand(usedFourDaysAgo, get);
    retention.firstCommand(usedFourDaysAgo, get);
    assertEquals(List.of(KeyCommand.RecordUse.INSTANCE), self.get().getAllReceived(), "one record while it is written");
    retention.recorded();
    retention.firstCommand(usedFourDaysAgo, get);
    assertEquals(List.of(KeyCommand.RecordUse.INSTANCE), self.get().getAllReceived());
  }

  @Test
  void aForgottenKeyLeavesItsInputsDeletesItsRowsAnswersAndAsksToStop() {
    Retention retention = retention(new RetentionPolicy(THIRTY_DAYS, false));
    timers.start("refresh", KeyCommand.RefreshDue.INSTANCE, Duration.ofMinutes(1));
    TestInbox<KeyReply> sweep = TestInbox.create("sweep");

    retention.forgotten(unused(), 17, sweep.getRef());

    assertTrue(timers.armed.isEmpty(), "nothing planned for the old value computes it again");
    assertEquals(List.of(new KeyCommand.DependentGone(key.text())), local.sentTo("up/a"));
    assertEquals(List.of(new LocalRuntime.RecordingRows.Delete(key.text(), 17, PRIMER.name(), 4)), local.rows.deletes);
    assertEquals(List.of(new KeyReply.Retention(true, null)), sweep.getAllReceived());
    assertEquals(1, shard.getAllReceived().size());
  }
}
