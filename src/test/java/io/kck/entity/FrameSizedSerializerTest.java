package io.kck.entity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.stream.Materializer;
import io.kck.persistence.StoredValue;
import io.kck.testing.Stages;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What crosses between nodes for a message that carries a value: inline when it fits in three
 * quarters of Akka's frame (256 KiB by default), else the value as a stream whose chunks add up to
 * the same bytes.
 */
class FrameSizedSerializerTest {
  static final ActorTestKit testKit = ActorTestKit.create("FrameSizedSerializerTest");
  static final Serialization serialization = SerializationExtension.get(testKit.system());
  static final int INLINE_LIMIT = 262_144 / 4 * 3;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  static StoredValue json(int length) {
    byte[] bytes = ("\"" + "v".repeat(length - 2) + "\"").getBytes(StandardCharsets.UTF_8);
    return StoredValue.fromJson(bytes);
  }

  static EntryData entry(StoredValue value) {
    return new EntryData("k/1", value, 3, Instant.EPOCH, false, false, null, null, Map.of("up/1", 2L), null);
  }

  /** The message as the other node reads it. */
  static Object acrossTheWire(Object message) {
    Serializer serializer = serialization.findSerializerFor(message);
    assertInstanceOf(FrameSizedSerializer.class, serializer, "the binding of " + message.getClass());
    String manifest = Serializers.manifestFor(serializer, message);
    byte[] bytes = serialization.serialize(message).get();
    assertEquals(true, bytes.length < 262_144, "a message within the frame: " + bytes.length + " bytes");
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  static byte[] pulled(StreamedValue streamed) {
    return Stages.await(streamed.receive("k/1", 16 * 1024 * 1024, Materializer.matFromSystem(testKit.system()))).json();
  }

  @Test
  void anAnswerWhoseValueFitsTravelsWhole() {
    KeyReply.Ok ok = new KeyReply.Ok(entry(json(INLINE_LIMIT)));
    KeyReply.Ok read = assertInstanceOf(KeyReply.Ok.class, acrossTheWire(ok));
    assertEquals(ok.entry(), read.entry());
  }

  @Test
  void anAnswerWhoseValueDoesNotFitTravelsWithItsValueAsAStream() {
    StoredValue value = json(INLINE_LIMIT + 1);
    KeyReply.Streamed read = assertInstanceOf(KeyReply.Streamed.class, acrossTheWire(new KeyReply.Ok(entry(value))));
    assertNull(read.entry().value());
    assertEquals(3, read.entry().version());
    assertEquals(Map.of("up/1", 2L), read.entry().lineage());
    assertEquals(value.json().length, read.value().length());
    assertArrayEquals(value.json(), pulled(read.value()));
  }

  @Test
  void aSubscribersUpdateWhoseValueDoesNotFitTravelsWithItsValueAsAStream() {
    StoredValue value = json(INLINE_LIMIT + 1);
    KeyUpdate.Streamed read =
        assertInstanceOf(KeyUpdate.Streamed.class, acrossTheWire(new KeyUpdate.Changed(entry(value))));
    assertNull(read.entry().value());
    assertEquals(3, read.entry().version());
    assertArrayEquals(value.json(), pulled(read.value()));
    KeyUpdate.Changed small = new KeyUpdate.Changed(entry(json(100)));
    assertEquals(small, acrossTheWire(small));
  }

  @Test
  void aPutOrAnAugmentWhoseValueDoesNotFitTravelsWithItsValueAsAStream() {
    TestProbe<KeyReply> probe = testKit.createTestProbe();
    StoredValue value = json(5 * 1024 * 1024);
    KeyCommand.Put put = assertInstanceOf(KeyCommand.Put.class,
        acrossTheWire(new KeyCommand.Put(value, probe.getRef(), null, OptionalLong.of(7))));
    assertNull(put.value());
    assertEquals(OptionalLong.of(7), put.expectedVersion());
    assertArrayEquals(value.json(), pulled(put.streamed()));

    KeyCommand.Augment augment = assertInstanceOf(KeyCommand.Augment.class,
        acrossTheWire(new KeyCommand.Augment(value, OptionalLong.empty(), probe.getRef())));
    assertNull(augment.delta());
    assertArrayEquals(value.json(), pulled(augment.streamed()));

    KeyCommand.Put small = assertInstanceOf(KeyCommand.Put.class,
        acrossTheWire(new KeyCommand.Put(json(100), probe.getRef())));
    assertEquals(json(100), small.value());
    assertNull(small.streamed());
  }

  @Test
  void aChangeNotificationLeavesOutADeltaTooLargeForAFrame() {
    KeyCommand.InputChanged changed = new KeyCommand.InputChanged("up/1", 4, Map.of("up/1", 4L), false,
        new KeyCommand.InputDelta(3, json(INLINE_LIMIT + 1)), null, null);
    KeyCommand.InputChanged read = assertInstanceOf(KeyCommand.InputChanged.class, acrossTheWire(changed));
    assertNull(read.delta(), "the dependent recomputes instead");
    assertEquals(4, read.version());
  }

  @Test
  void aStreamThatAnnouncesMoreThanMaxValueBytesIsRefusedNamingTheKeyAndTheSetting() {
    StreamedValue streamed = StreamedValue.offer(json(2048), 1024, Materializer.matFromSystem(testKit.system()));
    IllegalStateException refused = Stages.failure(
        streamed.receive("k/1", 1024, Materializer.matFromSystem(testKit.system())), IllegalStateException.class);
    assertEquals("A value of 2048 bytes for key 'k/1' was refused: kck.max-value-bytes is 1024", refused.getMessage());
  }
}
