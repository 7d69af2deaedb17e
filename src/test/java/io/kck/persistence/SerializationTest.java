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
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.KeyStatus;
import io.kck.entity.Problem;
import io.kck.entity.WarmKeys;
import io.kck.testing.TestNodes;
import java.time.Instant;
import java.util.List;
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
    EntryData entry = new EntryData("sales/1", value, 3, at, true, false, "boom", at);

    List<Object> messages = List.of(
        new KeyCommand.Get(replyTo),
        new KeyCommand.Refresh(replyTo),
        new KeyCommand.Put(value, replyTo),
        new KeyCommand.Invalidate(replyTo),
        new KeyCommand.Inspect(testKit.createTestProbe(KeyStatus.class).getRef()),
        KeyCommand.Wake.INSTANCE,
        KeyCommand.Passivate.INSTANCE,
        new KeyStatus("sales/1", KeyState.Status.READY, 3, 0, 0, at),
        new KeyEvent.ValueStored(3, at, value, KeyEvent.Origin.PUT),
        new KeyEvent.ValueDropped(at),
        new WarmKeys.Add("sales/1", null),
        new WarmKeys.Remove("sales/1", testKit.createTestProbe(akka.Done.class).getRef()),
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

    KeyState state = (KeyState) roundTrip(new KeyState(value, 3, at));
    assertEquals(3, state.version());
    assertArrayEquals(value.json(), state.value().json());

    Problem problem = Problem.of(Problem.Kind.COMPUTE_FAILED, "Compute of key 'sales/1' failed",
        new IllegalStateException("source down"));
    KeyReply.Failed failed = (KeyReply.Failed) roundTrip(new KeyReply.Failed(problem));
    assertEquals(Problem.Kind.COMPUTE_FAILED, failed.problem().kind());
    assertEquals(problem.message(), failed.problem().message());
    Problem.RemoteFailure cause = (Problem.RemoteFailure) failed.problem().cause().orElseThrow();
    assertEquals(IllegalStateException.class.getName(), cause.className());
    assertTrue(cause.getMessage().contains("source down"));
  }

  private static Object roundTrip(Object message) {
    Serializer serializer = serialization.findSerializerFor(message);
    assertTrue(serializer instanceof JacksonCborSerializer,
        message.getClass().getName() + " is serialized by " + serializer.getClass().getName());
    byte[] bytes = serialization.serialize(message).get();
    String manifest = akka.serialization.Serializers.manifestFor(serializer, message);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }
}
