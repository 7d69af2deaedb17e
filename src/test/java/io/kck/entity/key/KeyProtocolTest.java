package io.kck.entity.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.testkit.PersistenceTestKitPlugin;
import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.errors.KckException;
import io.kck.persistence.JournalNames;
import io.kck.persistence.StoredValue;
import io.kck.primer.Augment;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The key's protocol on Akka's {@link EventSourcedBehaviorTestKit}: the behavior sharding runs
 * ({@link EntityBehaviors#of}) on an in-memory journal, with local collaborators instead of
 * sharding and SQL ({@link LocalRuntime}; computes run on the real pool). Answers, journaled
 * events (checked to serialize as the journal stores them), replay, and journal failures. An
 * ActorSystem but no database: not in the {@code unit} group, yet a few seconds.
 */
class KeyProtocolTest {
  static final Parameter<String> ID = Parameter.ofString("id");
  static final AtomicInteger computes = new AtomicInteger();
  static final Primer<String> PRIMER = Primer.builder("protocol", String.class).parameters(ID)
      .compute((key, context) -> "value of " + key.get(ID) + " #" + computes.incrementAndGet())
      .augment(Augment.<String, String>of(String.class, (value, delta) -> value + delta))
      .build();
  static final Duration PATIENCE = Duration.ofSeconds(10);
  static final Instant AN_HOUR_AGO = LocalRuntime.START.minus(Duration.ofHours(1));

  static ActorTestKit testKit;
  static LocalRuntime local;

  /**
   * KCK's keys name their journal plugin ({@code kck.journal}); this one is the testkit's in-memory
   * journal under that name, with the testkit's own storage, so that {@code persistenceTestKit()}
   * sees and fails its writes.
   */
  public static final class TestKitJournal extends PersistenceTestKitPlugin {
    public TestKitJournal(Config config, String path) {
      super(config, PersistenceTestKitPlugin.PluginId());
    }
  }

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("KeyProtocolTest", ConfigFactory.parseString(
            "kck.journal.class = \"" + TestKitJournal.class.getName() + "\"\n"
            + "kck.snapshot-store.class = \"" + PersistenceTestKitSnapshotPlugin.class.getName() + "\"\n"
            + "akka.loglevel = WARNING\n"
            // The testkit waits this long for the key's persistence id and state (a busy CI machine)
            + "akka.actor.testkit.typed.single-expect-default = 10s\n")
        .withFallback(EventSourcedBehaviorTestKit.config()));
    local = LocalRuntime.running("kck.entity.journal-backoff-min = 50ms\nkck.entity.journal-backoff-max = 100ms", PRIMER);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    local.close();
  }

  private static EventSourcedBehaviorTestKit<KeyCommand, KeyEvent, KeyState> key(Key<String> key) {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        EntityBehaviors.of(key.text(), shard.ref(), local.runtime),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyCommands(false));
  }

  private static StoredValue value(String text) {
    return StoredValue.of(text, local.runtime.codec(PRIMER));
  }

  private static KeyEvent.ValueStored computed(String text, long version) {
    return new KeyEvent.ValueStored(version, AN_HOUR_AGO, value(text), KeyEvent.Origin.COMPUTED, Map.of(), Map.of());
  }

  private static String text(KeyReply reply) {
    return (String) assertInstanceOf(KeyReply.Ok.class, reply).entry().value().value(local.runtime.codec(PRIMER));
  }

  @Test
  void aGetOfANewKeyComputesJournalsTheValueAndAnswersIt() {
    Key<String> key = PRIMER.key("new");
    var kit = key(key);
    TestProbe<KeyReply> caller = testKit.createTestProbe();

    kit.runCommand(new KeyCommand.Get(caller.ref()));

    KeyReply.Ok ok = assertInstanceOf(KeyReply.Ok.class, caller.receiveMessage(PATIENCE));
    assertEquals(1, ok.entry().version());
    assertTrue(text(ok).startsWith("value of new #"), text(ok));
    KeyEvent.ValueStored stored = kit.persistenceTestKit()
        .expectNextPersistedClass(JournalNames.persistenceId(key.text()), KeyEvent.ValueStored.class);
    assertEquals(1, stored.version());
    assertEquals(KeyEvent.Origin.COMPUTED, stored.origin());
    assertEquals(1, kit.getState().version());
  }

  @Test
  void aPutIsJournaledAsTheNextVersionAndAnsweredWithIt() {
    var kit = key(PRIMER.key("put"));
    kit.initialize(computed("first", 1));

    var result = kit.<KeyReply>runCommand(replyTo -> new KeyCommand.Put(value("supplied"), replyTo));

    KeyEvent.ValueStored stored = assertInstanceOf(KeyEvent.ValueStored.class, result.event());
    assertEquals(2, stored.version());
    assertEquals(KeyEvent.Origin.PUT, stored.origin());
    assertEquals("supplied", text(result.reply()));
    assertTrue(result.state().supplied(), "retention keeps what the application gave");
  }

  @Test
  void anAugmentIsCheckedAgainstTheCurrentVersionAndSurvivesAReplay() {
    var kit = key(PRIMER.key("augment"));
    kit.initialize(computed("abc", 1));

    var stale = kit.<KeyReply>runCommand(replyTo -> new KeyCommand.Augment(
        StoredValue.of("!", local.runtime.deltaCodec(PRIMER)), OptionalLong.of(0), replyTo));
    assertEquals(KckException.Kind.VERSION_CONFLICT,
        assertInstanceOf(KeyReply.Failed.class, stale.reply()).problem().kind());
    assertTrue(stale.hasNoEvents(), "nothing applied");

    var applied = kit.<KeyReply>runCommand(replyTo -> new KeyCommand.Augment(
        StoredValue.of("d", local.runtime.deltaCodec(PRIMER)), OptionalLong.of(1), replyTo));
    assertEquals(2, assertInstanceOf(KeyEvent.DeltaApplied.class, applied.event()).version());
    assertEquals("abcd", text(applied.reply()));

    KeyState replayed = kit.restart().state();
    assertEquals(2, replayed.version());
    assertEquals("abcd", replayed.value().value(local.runtime.codec(PRIMER)), "the delta is applied again on replay");
  }

  @Test
  void anInvalidateDropsTheValueKeepsItsVersionAndTheNextGetComputesTheNext() {
    var kit = key(PRIMER.key("invalidate"));
    kit.initialize(computed("old", 3));

    var dropped = kit.<KeyReply>runCommand(KeyCommand.Invalidate::new);
    assertInstanceOf(KeyEvent.ValueDropped.class, dropped.event());
    assertFalse(dropped.state().hasValue());
    assertEquals(3, dropped.state().version());
    assertNull(assertInstanceOf(KeyReply.Ok.class, dropped.reply()).entry().value());

    TestProbe<KeyReply> caller = testKit.createTestProbe();
    kit.runCommand(new KeyCommand.Get(caller.ref()));
    assertEquals(4, assertInstanceOf(KeyReply.Ok.class, caller.receiveMessage(PATIENCE)).entry().version());
  }

  @Test
  void aForgetWhoseJournalWriteFailsIsAnsweredAndTheKeyKeepsItsValue() {
    Key<String> key = PRIMER.key("forget-fails");
    var kit = key(key);
    // Computed 90 days ago, last read 60 days ago: past the default forget-after of 30 days.
    kit.initialize(new KeyEvent.ValueStored(1, LocalRuntime.START.minus(Duration.ofDays(90)), value("old"),
        KeyEvent.Origin.COMPUTED, Map.of(), Map.of()), new KeyEvent.KeyUsed(LocalRuntime.START.minus(Duration.ofDays(60))));
    TestProbe<KeyReply> sweep = testKit.createTestProbe();
    kit.persistenceTestKit().failNextPersisted(JournalNames.persistenceId(key.text()));

    kit.runCommand(new KeyCommand.Forget(sweep.ref()));

    KeyReply.Failed failed = assertInstanceOf(KeyReply.Failed.class, sweep.receiveMessage(PATIENCE));
    assertEquals(KckException.Kind.UNAVAILABLE, failed.problem().kind());
    sweep.expectNoMessage(Duration.ofMillis(200));
    TestProbe<KeyReply> caller = testKit.createTestProbe();
    kit.runCommand(new KeyCommand.Inspect(caller.ref())); // the key restarted and loaded its journal again
    KeyReply.Status status = assertInstanceOf(KeyReply.Status.class, caller.receiveMessage(PATIENCE));
    assertEquals(1, status.status().version());
    assertEquals(KeyState.Status.READY, status.status().status());
    assertTrue(kit.persistenceTestKit().persistedInStorage(JournalNames.persistenceId(key.text())).stream()
        .noneMatch(event -> event instanceof KeyEvent.Forgotten));
  }

  @Test
  void aForgetOfAKeyStillReadIsAnsweredWithWhyItIsKept() {
    var kit = key(PRIMER.key("forget-kept"));
    kit.initialize(computed("recent", 1), new KeyEvent.KeyUsed(LocalRuntime.START.minus(Duration.ofDays(1))));

    var result = kit.<KeyReply>runCommand(KeyCommand.Forget::new);

    KeyReply.Retention kept = assertInstanceOf(KeyReply.Retention.class, result.reply());
    assertFalse(kept.forgotten());
    assertTrue(kept.keptBecause().startsWith("it was used at"), kept.keptBecause());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void aPutWhoseJournalWriteFailsIsAnsweredWithAFailureAndChangesNothing() {
    Key<String> key = PRIMER.key("put-fails");
    var kit = key(key);
    kit.initialize(computed("kept", 1));
    TestProbe<KeyReply> caller = testKit.createTestProbe();
    kit.persistenceTestKit().failNextPersisted(JournalNames.persistenceId(key.text()));

    kit.runCommand(new KeyCommand.Put(value("lost"), caller.ref()));

    assertEquals(KckException.Kind.UNAVAILABLE,
        assertInstanceOf(KeyReply.Failed.class, caller.receiveMessage(PATIENCE)).problem().kind());
    TestProbe<KeyReply> getter = testKit.createTestProbe();
    kit.runCommand(new KeyCommand.Get(getter.ref()));
    KeyReply.Ok ok = assertInstanceOf(KeyReply.Ok.class, getter.receiveMessage(PATIENCE));
    assertEquals(1, ok.entry().version());
    assertEquals("kept", text(ok));
    assertEquals(List.of(computed("kept", 1)),
        kit.persistenceTestKit().persistedInStorage(JournalNames.persistenceId(key.text())));
  }
}
