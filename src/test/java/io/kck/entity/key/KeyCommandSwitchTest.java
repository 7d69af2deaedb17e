package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.BehaviorTestKit;
import akka.actor.testkit.typed.javadsl.TestInbox;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.testkit.javadsl.PersistenceEffect;
import akka.persistence.testkit.javadsl.UnpersistentBehavior;
import io.kck.entity.ComputeReads;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.SourcePosition;
import io.kck.entity.TxnSnapshot;
import io.kck.errors.KckException;
import io.kck.persistence.StoredValue;
import io.kck.primer.Augment;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.Propagation;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The key's command switch ({@link KeyEntity}) run by Akka's {@link UnpersistentBehavior} in a
 * {@link BehaviorTestKit}: the real behavior, made by {@link EntityBehaviors#of} as sharding makes
 * it, its effects applied synchronously without an ActorSystem or a journal. Each test sends
 * commands and checks the answers, the events journaled, and what other keys were told. Computes
 * are held in the pool; a test ends one by sending the {@code ComputeDone} the compute would send.
 */
@Tag("unit")
class KeyCommandSwitchTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final Primer<String> PRIMER = Primer.builder("switch-unit", String.class).parameters(ID)
      .compute((key, context) -> "never runs here")
      .augment(Augment.<String, String>of(String.class, (value, delta) -> value + delta)).build();
  static final Primer<String> LAZY = Primer.builder("switch-lazy", String.class).parameters(ID)
      .propagation(Propagation.LAZY).compute((key, context) -> "never runs here").build();

  private final LocalRuntime local = LocalRuntime.held("kck.entity.local-hits = on", PRIMER, LAZY);
  private Key<String> key = PRIMER.key("a");
  private final TestInbox<ClusterSharding.ShardCommand> shard = TestInbox.create("shard");
  // Older than kck.dependencies.reannounce-window: a key that starts with it announces nothing again.
  private static final java.time.Instant AN_HOUR_AGO = LocalRuntime.START.minus(java.time.Duration.ofHours(1));
  private UnpersistentBehavior<KeyCommand, KeyEvent, KeyState> unpersistent;
  private BehaviorTestKit<KeyCommand> kit;

  @AfterEach
  void close() {
    local.close();
  }

  /**
   * Starts the key with {@code state} as its journal left it, and takes what it sent as it started
   * (checks of its inputs), so that a test sees what its commands send.
   */
  private void start(KeyState state, long sequenceNr) {
    unpersistent = UnpersistentBehavior.fromEventSourced(EntityBehaviors.of(key.text(), shard.getRef(), local.runtime),
        state, sequenceNr);
    kit = unpersistent.getBehaviorTestKit();
    if (state.version() == 0) {
      kit.runOne(); // the version floor's read, piped to itself
    }
  }

  private void start(Key<String> key, KeyState state, long sequenceNr) {
    this.key = key;
    start(state, sequenceNr);
  }

  private StoredValue value(String text) {
    return StoredValue.of(text, local.runtime.codec(PRIMER));
  }

  private KeyState valued(String text, long version, Set<String> dependents) {
    return new KeyState(value(text), version, AN_HOUR_AGO, Map.of(), Map.of(), dependents, Map.of(), AN_HOUR_AGO, false);
  }

  private List<KeyEvent> events() {
    return unpersistent.getEventProbe().drain().stream().map(PersistenceEffect::persistedObject).toList();
  }

  private static KeyReply.Ok ok(TestInbox<KeyReply> caller) {
    KeyReply.Ok ok = assertInstanceOf(KeyReply.Ok.class, caller.receiveMessage());
    assertFalse(caller.hasMessages(), "answered once");
    return ok;
  }

  private static ComputeReads noReads() {
    return new ComputeReads(Map.of(), Map.of(), false);
  }

  @Test
  void aGetOfAFreshValueIsAnsweredAtOnceAndJournalsNothing() {
    start(valued("v3", 3, Set.of()), 3);
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    kit.run(new KeyCommand.Get(caller.getRef()));

    assertEquals(3, ok(caller).entry().version());
    assertEquals(List.of(), events());
    assertEquals(0, local.computesStarted());
  }

  @Test
  void aNewKeysGetsWaitForOneComputeWhoseValueIsJournaledAboveTheVersionFloorThenAnswered() {
    local.rows.floor = 7; // a key of this name was forgotten at version 7
    start(KeyState.EMPTY, 0);
    TestInbox<KeyReply> first = TestInbox.create("first");
    TestInbox<KeyReply> second = TestInbox.create("second");

    kit.run(new KeyCommand.Get(first.getRef()));
    kit.run(new KeyCommand.Get(second.getRef()));
    assertEquals(1, local.computesStarted());
    assertFalse(first.hasMessages());

    kit.run(new KeyCommand.ComputeDone(1, value("computed"), null, noReads()));

    KeyEvent.ValueStored stored = assertInstanceOf(KeyEvent.ValueStored.class, events().get(0));
    assertEquals(8, stored.version(), "versions go on above the forgotten key's");
    assertEquals(KeyEvent.Origin.COMPUTED, stored.origin());
    assertEquals(8, ok(first).entry().version());
    assertEquals(8, ok(second).entry().version());
  }

  @Test
  void aPutBeforeTheVersionFloorIsKnownWaitsForIt() {
    local.rows.floor = 7;
    unpersistent = UnpersistentBehavior.fromEventSourced(EntityBehaviors.of(key.text(), shard.getRef(), local.runtime),
        KeyState.EMPTY, 0);
    kit = unpersistent.getBehaviorTestKit();
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    kit.run(new KeyCommand.Put(value("put"), caller.getRef()));
    assertEquals(List.of(), events(), "held: its version is not known yet");
    assertFalse(caller.hasMessages());

    kit.runOne(); // the floor's read arrives

    assertEquals(8, assertInstanceOf(KeyEvent.ValueStored.class, events().get(0)).version());
    assertEquals(8, ok(caller).entry().version());
  }

  @Test
  void aRecomputeThatMakesTheSameValueConfirmsItKeepsTheVersionAndTellsNoDependent() {
    start(valued("same", 3, Set.of("down/x")), 3);
    TestInbox<KeyReply> refresher = TestInbox.create("refresher");
    kit.run(new KeyCommand.Refresh(refresher.getRef()));

    kit.run(new KeyCommand.ComputeDone(1, value("same"), null, noReads()));

    assertInstanceOf(KeyEvent.ValueConfirmed.class, events().get(0));
    assertEquals(3, ok(refresher).entry().version());
    assertEquals(List.of(), local.sentTo("down/x"), "early cutoff: nothing changed downstream");
  }

  @Test
  void aRecomputeThatMakesANewValueStoresTheNextVersionAndTellsDependents() {
    start(valued("old", 3, Set.of("down/x")), 3);
    kit.run(new KeyCommand.Refresh(TestInbox.<KeyReply>create("refresher").getRef()));

    kit.run(new KeyCommand.ComputeDone(1, value("new"), null, noReads()));

    assertEquals(4, assertInstanceOf(KeyEvent.ValueStored.class, events().get(0)).version());
    KeyCommand.InputChanged told = assertInstanceOf(KeyCommand.InputChanged.class, local.sentTo("down/x").get(0));
    assertEquals(4, told.version());
  }

  @Test
  void aPutIsJournaledAsTheNextVersionAndAlsoAnswersGetsWaitingForACompute() {
    start(KeyState.EMPTY, 0);
    TestInbox<KeyReply> getter = TestInbox.create("getter");
    TestInbox<KeyReply> putter = TestInbox.create("putter");
    kit.run(new KeyCommand.Get(getter.getRef()));

    kit.run(new KeyCommand.Put(value("put"), putter.getRef()));

    KeyEvent.ValueStored stored = assertInstanceOf(KeyEvent.ValueStored.class, events().get(0));
    assertEquals(KeyEvent.Origin.PUT, stored.origin());
    assertEquals(1, ok(putter).entry().version());
    assertEquals(1, ok(getter).entry().version(), "the put's value is newer than what the get waited for");
    kit.run(new KeyCommand.ComputeDone(1, value("late"), null, noReads()));
    assertEquals(List.of(), events(), "the compute the put superseded stores nothing");
  }

  /** Transactions below 200 had committed when the compute took its snapshot; 205 and later had not begun. */
  private static final TxnSnapshot BEGAN = new TxnSnapshot(200, 205, List.of());

  @Test
  void aSourceChangeTheRunningComputeReadsLeavesItRunningAndStartsNoRefresh() {
    start(KeyState.EMPTY, 0);
    TestInbox<KeyReply> getter = TestInbox.create("getter");
    TestInbox<KeyReply> source = TestInbox.create("source");
    kit.run(new KeyCommand.Get(getter.getRef()));
    kit.run(new KeyCommand.ComputeBegan(1, BEGAN));

    kit.run(new KeyCommand.SourceChange(new SourcePosition(10, 1), true, null, 150, source.getRef()));

    ok(source);
    kit.run(new KeyCommand.ComputeDone(1, value("computed"), null, noReads()));
    List<KeyEvent> journaled = events();
    assertEquals(1, journaled.size(), "its result is stored: " + journaled);
    assertEquals(1, assertInstanceOf(KeyEvent.ValueStored.class, journaled.get(0)).version());
    assertEquals(1, ok(getter).entry().version());
    assertEquals(1, local.computesStarted(), "no second compute: the running one read the change");
  }

  @Test
  void aSourceChangeCommittedAfterTheSnapshotOrBeforeItIsKnownStillRunsTheComputeAgain() {
    start(KeyState.EMPTY, 0);
    TestInbox<KeyReply> getter = TestInbox.create("getter");
    kit.run(new KeyCommand.Get(getter.getRef()));
    kit.run(new KeyCommand.ComputeBegan(1, BEGAN));
    kit.run(new KeyCommand.SourceChange(new SourcePosition(10, 1), false, null, 210, TestInbox.<KeyReply>create("s").getRef()));
    kit.run(new KeyCommand.ComputeDone(1, value("moot"), null, noReads()));
    assertEquals(List.of(), events(), "committed after its snapshot: its result is moot");
    assertEquals(2, local.computesStarted());

    kit.run(new KeyCommand.ComputeBegan(1, BEGAN)); // late: attempt 1 is over
    kit.run(new KeyCommand.SourceChange(new SourcePosition(11, 1), false, null, 150, TestInbox.<KeyReply>create("t").getRef()));
    kit.run(new KeyCommand.ComputeDone(2, value("moot too"), null, noReads()));
    assertEquals(List.of(), events(), "attempt 2's snapshot was not known: conservative");
    assertEquals(3, local.computesStarted());
    assertFalse(getter.hasMessages(), "it waits for the compute that began after both changes");
  }

  @Test
  void aSourceChangeThatComesBeforeTheSnapshotIsJudgedByItWhenItComes() {
    start(KeyState.EMPTY, 0);
    TestInbox<KeyReply> getter = TestInbox.create("getter");
    TestInbox<KeyReply> source = TestInbox.create("source");
    kit.run(new KeyCommand.Get(getter.getRef()));
    kit.run(new KeyCommand.SourceChange(new SourcePosition(10, 1), true, null, 150, source.getRef()));
    ok(source); // answered at once, as any change of a key with no value
    kit.run(new KeyCommand.ComputeBegan(1, BEGAN)); // 150 had committed: in what it reads
    kit.run(new KeyCommand.ComputeDone(1, value("computed"), null, noReads()));
    List<KeyEvent> journaled = events();
    assertEquals(1, journaled.size(), "its result is stored: " + journaled);
    assertEquals(1, assertInstanceOf(KeyEvent.ValueStored.class, journaled.get(0)).version());
    assertEquals(1, ok(getter).entry().version());
    assertEquals(1, local.computesStarted(), "the snapshot showed the change committed: no second compute");
  }

  @Test
  void aRefreshThatComesBeforeTheSnapshotAndIsNotInItRunsTheComputeAgain() {
    start(KeyState.EMPTY, 0);
    TestInbox<KeyReply> getter = TestInbox.create("getter");
    kit.run(new KeyCommand.Get(getter.getRef()));
    kit.run(new KeyCommand.SourceChange(new SourcePosition(10, 1), true, null, 210, TestInbox.<KeyReply>create("s").getRef()));
    kit.run(new KeyCommand.ComputeBegan(1, BEGAN)); // 210 had not begun: not in what it reads
    kit.run(new KeyCommand.ComputeDone(1, value("moot"), null, noReads()));
    assertEquals(List.of(), events(), "its result is moot");
    assertEquals(2, local.computesStarted(), "computed again, after the change");
    assertFalse(getter.hasMessages(), "the get waits for the compute that began after the change");
  }

  @Test
  void aRefreshThatComesWhileTheSnapshotIsNeverToldIsOwedWhenTheComputeEnds() {
    start(KeyState.EMPTY, 0);
    kit.run(KeyCommand.Wake.INSTANCE); // a compute nobody waits for
    kit.run(new KeyCommand.SourceChange(new SourcePosition(10, 1), true, null, 150, TestInbox.<KeyReply>create("s").getRef()));
    // The database gave no snapshot: no ComputeBegan. The change may not be in what it read.
    kit.run(new KeyCommand.ComputeDone(1, value("moot"), null, noReads()));
    assertEquals(List.of(), events(), "its result is moot");
    assertEquals(2, local.computesStarted(), "the refresh the change asked for runs, though nobody waits");
  }

  private StoredValue delta(String text) {
    return StoredValue.of(text, local.runtime.deltaCodec(PRIMER));
  }

  @Test
  void anAugmentForAnOlderVersionIsAnsweredWithAConflictAndJournalsNothing() {
    start(valued("v3", 3, Set.of()), 3);
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    kit.run(new KeyCommand.Augment(delta("+"), OptionalLong.of(2), caller.getRef()));

    KeyReply.Failed failed = assertInstanceOf(KeyReply.Failed.class, caller.receiveMessage());
    assertEquals(KckException.Kind.VERSION_CONFLICT, failed.problem().kind());
    assertEquals(List.of(), events());
  }

  @Test
  void anAugmentOfTheCurrentVersionJournalsItsDeltaAndAnswersTheNewValue() {
    start(valued("v3", 3, Set.of("down/x")), 3);
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    kit.run(new KeyCommand.Augment(delta("+"), OptionalLong.of(3), caller.getRef()));

    KeyEvent.DeltaApplied applied = assertInstanceOf(KeyEvent.DeltaApplied.class, events().get(0));
    assertEquals(4, applied.version());
    KeyReply.Ok ok = ok(caller);
    assertEquals(4, ok.entry().version());
    assertEquals("v3+", ok.entry().value().value(local.runtime.codec(PRIMER)));
    KeyCommand.InputChanged told = assertInstanceOf(KeyCommand.InputChanged.class, local.sentTo("down/x").get(0));
    assertEquals(3, told.delta().base(), "dependents that follow deltas get it with the version it applies to");
  }

  @Test
  void anInvalidateDropsTheValueKeepsTheVersionAndOutdatesDependents() {
    start(valued("v3", 3, Set.of("down/x")), 3);
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    kit.run(new KeyCommand.Invalidate(caller.getRef()));

    assertInstanceOf(KeyEvent.ValueDropped.class, events().get(0));
    KeyReply.Ok ok = ok(caller);
    assertNull(ok.entry().value());
    assertEquals(3, ok.entry().version());
    KeyCommand.InputChanged told = assertInstanceOf(KeyCommand.InputChanged.class, local.sentTo("down/x").get(0));
    assertTrue(told.outdated());
    assertNull(local.runtime.tier().servable(key.text(), local.clock), "no local hit answers the dropped value");
  }

  @Test
  void anInvalidateOfAKeyWithoutAValueIsAnsweredWithoutAWrite() {
    start(KeyState.EMPTY, 0);
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    kit.run(new KeyCommand.Invalidate(caller.getRef()));

    ok(caller);
    assertEquals(List.of(), events());
  }

  @Test
  void getsWaitWhileTheKeysInputsSayWhetherTheyMovedOnAndAreAnsweredAfter() {
    KeyState dependent = new KeyState(value("v1"), 1, AN_HOUR_AGO, Map.of("up/a", 1L), Map.of("up/a", 1L),
        Set.of(), Map.of(), AN_HOUR_AGO, false);
    start(dependent, 1);
    assertEquals(List.of(new KeyCommand.CheckInput(key.text(), 1)), local.sentTo("up/a"));
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    kit.run(new KeyCommand.Get(caller.getRef()));
    assertFalse(caller.hasMessages(), "held until the input answers");

    kit.run(new KeyCommand.InputChecked("up/a"));

    KeyReply.Ok ok = ok(caller);
    assertEquals(1, ok.entry().version());
    assertFalse(ok.entry().stale());
  }

  @Test
  void anInputsChangeOutdatesALazyKeyAndItsNextGetWaitsForTheRecompute() {
    KeyState dependent = new KeyState(value("v1"), 1, AN_HOUR_AGO, Map.of("up/a", 1L), Map.of("up/a", 1L),
        Set.of(), Map.of(), AN_HOUR_AGO, false);
    start(LAZY.key("a"), dependent, 1);
    kit.run(new KeyCommand.InputChecked("up/a"));

    kit.run(new KeyCommand.InputChanged("up/a", 2, Map.of("up/a", 2L), false, null, null, null));

    assertEquals(new KeyEvent.ValueOutdated(Map.of("up/a", 2L)), events().get(0));
    TestInbox<KeyReply> caller = TestInbox.create("caller");
    kit.run(new KeyCommand.Get(caller.getRef()));
    assertFalse(caller.hasMessages(), "the outdated value is not answered");
    assertEquals(1, local.computesStarted());
  }

  @Test
  void aCheckFromADependentItDoesNotKnowRecordsTheEdgeFirst() {
    start(valued("v3", 3, Set.of()), 3);

    kit.run(new KeyCommand.CheckInput("down/x", 3));

    assertEquals(List.of(new KeyEvent.DependentAdded("down/x")), events());
    assertEquals(List.of(new KeyCommand.InputChecked(key.text())), local.sentTo("down/x"));
  }

  @Test
  void anInspectionAnswersWhatTheKeyIsDoing() {
    start(valued("v3", 3, Set.of()), 3);
    kit.run(new KeyCommand.Refresh(TestInbox.<KeyReply>create("refresher").getRef()));
    TestInbox<KeyReply> caller = TestInbox.create("caller");

    kit.run(new KeyCommand.Inspect(caller.getRef()));

    KeyReply.Status status = assertInstanceOf(KeyReply.Status.class, caller.receiveMessage());
    assertEquals(3, status.status().version());
    assertEquals(1, status.status().computeInFlight());
    assertEquals(1, status.status().waiting());
  }
}
