package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.jackson.JacksonCborSerializer;
import io.kck.entity.EntryData;
import io.kck.entity.FrameSizedSerializer;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.KeyStatus;
import io.kck.entity.KeyUpdate;
import io.kck.entity.Wave;
import io.kck.entity.Problem;
import io.kck.entity.WarmKeys;
import io.kck.testing.TestNodes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Everything that crosses nodes or goes to the journal goes through Akka's Jackson CBOR
 * serializer and comes back equal. (The suite also runs with akka.actor.serialize-messages = on,
 * which checks messages sent to actors but not replies to asks: those are checked here.)
 */
class SerializationTest {
  static ActorTestKit testKit;
  static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("SerializationTest", TestNodes.config());
    serialization = SerializationExtension.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void commandsRepliesEventsAndSnapshotsRoundTripThroughJacksonCbor() {
    ActorRef<KeyReply> replyTo = testKit.createTestProbe(KeyReply.class).getRef();
    StoredValue value = StoredValue.fromJson("{\"total\":42}".getBytes());
    Instant at = Instant.parse("2026-11-02T10:15:30.123456Z");
    Map<String, Long> lineage = Map.of("register/1", 7L, "import/1", 2L);
    EntryData entry = new EntryData("sales/1", value, 3, at, true, false, "boom", at, lineage);
    ActorRef<KeyUpdate> listener = testKit.createTestProbe(KeyUpdate.class).getRef();

    List<Object> messages = List.of(
        new KeyCommand.Get(replyTo),
        new KeyCommand.Refresh(replyTo),
        new KeyCommand.Put(value, replyTo),
        new KeyCommand.Invalidate(replyTo),
        new KeyCommand.Inspect(replyTo),
        new KeyReply.Status(new KeyStatus("sales/1", KeyState.Status.READY, 3, 0, 0, at, true, Map.of(), Set.of(), at, null, 0, null)),
        KeyCommand.Wake.INSTANCE,
        KeyCommand.Passivate.INSTANCE,
        new KeyStatus("sales/1", KeyState.Status.READY, 3, 0, 0, at, true, Map.of("register/1", 7L), Set.of("league/x"), at, "hook threw", 1, "the delta of version 4 was set aside"),
        new KeyCommand.Read("store/1", List.of("league/x", "store/1"), lineage, replyTo),
        new KeyCommand.InputChanged("register/1", 7, lineage, false, null, null, null),
        new KeyCommand.InputChanged("register/1", 7, lineage, false, null, entry, new Wave("register/1@7", at)),
        new KeyCommand.InputChanged("register/1", 8, lineage, false, new KeyCommand.InputDelta(7, value), null, null),
        new KeyCommand.Augment(value, java.util.OptionalLong.of(3), replyTo),
        new KeyCommand.Augment(value, java.util.OptionalLong.empty(), replyTo),
        new KeyEvent.DeltaApplied(4, at, value, Map.of("register/1", 7L), lineage),
        new KeyCommand.DependentGone("store/1"),
        new KeyCommand.CheckInput("store/1", 7),
        new KeyCommand.CycleProbe(List.of("a/1", "b/1")),
        new KeyCommand.Watch(listener),
        new KeyCommand.Unwatch(listener),
        new KeyUpdate.Detached("sales/1"),
        new KeyEvent.ValueStored(3, at, value, KeyEvent.Origin.PUT, Map.of("register/1", 7L), lineage),
        new KeyEvent.ValueConfirmed(at, Map.of("register/1", 7L), lineage),
        new KeyEvent.ValueOutdated(lineage),
        new KeyEvent.DependentAdded("store/1"),
        new KeyEvent.DependentRemoved("store/1"),
        new KeyEvent.ValueDropped(at),
        new WarmKeys.Add("sales/1", null),
        new WarmKeys.Remove("sales/1", testKit.<akka.pattern.StatusReply<akka.Done>>createTestProbe().getRef()),
        new WarmKeys.Added("sales/1"),
        new WarmKeys.Removed("sales/1"),
        new WarmKeys.State(new java.util.HashSet<>(Set.of("sales/1", "sales/2"))));
    for (Object message : messages) {
      assertEquals(message, roundTrip(message), message.getClass().getName());
    }

    KeyReply.Ok ok = (KeyReply.Ok) roundTrip(new KeyReply.Ok(entry));
    assertEquals(entry.key(), ok.entry().key());
    assertEquals(entry.version(), ok.entry().version());
    assertEquals(entry.computedAt(), ok.entry().computedAt());
    assertEquals(entry.lastError(), ok.entry().lastError());
    assertTrue(ok.entry().stale());
    assertArrayEquals(value.json(), ok.entry().value().json());
    assertEquals(lineage, ok.entry().lineage());
    KeyUpdate.Changed changed = (KeyUpdate.Changed) roundTrip(new KeyUpdate.Changed(entry));
    assertEquals(entry.version(), changed.entry().version());

    KeyState state =
        (KeyState) roundTrip(new KeyState(value, 3, at, Map.of("register/1", 7L), lineage, Set.of("league/x"), Map.of(), at, true));
    assertEquals(3, state.version());
    assertEquals(lineage, state.lineage());
    assertEquals(Set.of("league/x"), state.dependents());
    assertArrayEquals(value.json(), state.value().json());

    Problem problem = Problem.of(io.kck.errors.KckException.Kind.COMPUTE_FAILED, "Compute of key 'sales/1' failed",
        new IllegalStateException("source down"));
    KeyReply.Failed failed = (KeyReply.Failed) roundTrip(new KeyReply.Failed(problem));
    assertEquals(io.kck.errors.KckException.Kind.COMPUTE_FAILED, failed.problem().kind());
    assertEquals(problem.message(), failed.problem().message());
    io.kck.errors.RemoteFailure cause = (io.kck.errors.RemoteFailure) failed.problem().cause().orElseThrow();
    assertEquals(IllegalStateException.class.getName(), cause.className());
    assertTrue(cause.getMessage().contains("source down"));
  }

  private static Object roundTrip(Object message) {
    Serializer serializer = serialization.findSerializerFor(message);
    // FrameSizedSerializer is Jackson CBOR too, for the messages that may carry a whole value.
    assertTrue(serializer instanceof JacksonCborSerializer || serializer instanceof FrameSizedSerializer,
        message.getClass().getName() + " is serialized by " + serializer.getClass().getName());
    byte[] bytes = serialization.serialize(message).get();
    String manifest = akka.serialization.Serializers.manifestFor(serializer, message);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  /** Akka's LZ4 compression of Jackson messages runs on the maintained lz4-java fork KCK brings. */
  @Test
  void lz4CompressionWorksWithTheMaintainedFork() {
    ActorTestKit compressing = TestNodes.start("SerializationLz4", TestNodes.config("""
        akka.serialization.jackson.jackson-cbor.compression { algorithm = lz4, compress-larger-than = 0 b }
        """));
    try {
      akka.serialization.Serialization lz4 = akka.serialization.SerializationExtension.get(compressing.system());
      WarmKeys.State state = new WarmKeys.State(new java.util.HashSet<>(Set.of("sales/1", "sales/2")));
      Serializer serializer = lz4.findSerializerFor(state);
      byte[] bytes = lz4.serialize(state).get();
      assertEquals(state, lz4.deserialize(bytes, serializer.identifier(),
          akka.serialization.Serializers.manifestFor(serializer, state)).get());
    } finally {
      compressing.shutdownTestKit();
    }
  }
}
