package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.kck.entity.ComputeWindow;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.SourcePosition;
import io.kck.entity.TxnSnapshot;
import io.kck.testing.TestNodes;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The position of the last source change a key applied is journaled (in its state, its deltas and
 * its outdates) and read back; rows journaled before KCK recorded it still read, as "none".
 */
class SourcePositionSerializationTest {
  static ActorTestKit testKit;
  static Serialization serialization;
  static final ObjectMapper cbor = new ObjectMapper(new CBORFactory());
  static final Instant AT = Instant.parse("2026-12-07T08:00:00Z");
  static final SourcePosition POSITION = new SourcePosition(0x1_6B3F_A0L, 3);

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("SourcePositionSerializationTest", TestNodes.config());
    serialization = SerializationExtension.get(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void positionsRoundTrip() {
    StoredValue value = StoredValue.fromJson("42".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    KeyState state = new KeyState(value, 3, AT, Map.of(), Map.of(), Set.of("a/1"), Map.of(), AT, false, POSITION);
    assertEquals(POSITION, ((KeyState) roundTrip(state)).source());
    KeyEvent.DeltaApplied delta = new KeyEvent.DeltaApplied(4, AT, value, Map.of(), Map.of()).from(POSITION);
    assertEquals(POSITION, ((KeyEvent.DeltaApplied) roundTrip(delta)).source());
    assertEquals(new KeyEvent.SourceChanged(AT, POSITION), roundTrip(new KeyEvent.SourceChanged(AT, POSITION)));
    KeyCommand.SourceChange change = new KeyCommand.SourceChange(POSITION, true, value,
        testKit.createTestProbe(KeyReply.class).getRef());
    KeyCommand.SourceChange back = (KeyCommand.SourceChange) roundTrip(change);
    assertEquals(POSITION, back.position());
    assertTrue(back.refresh());
  }

  @Test
  void rowsWrittenBeforeSourcesReadAsNoPosition() throws Exception {
    StoredValue value = StoredValue.fromJson("42".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    KeyState state = (KeyState) withoutSource(new KeyState(value, 3, AT, Map.of(), Map.of(), Set.of(), Map.of(), AT, true));
    assertNull(state.source());
    assertEquals(3, state.version());
    KeyEvent.DeltaApplied delta = (KeyEvent.DeltaApplied) withoutSource(new KeyEvent.DeltaApplied(4, AT, value, Map.of(), Map.of()));
    assertNull(delta.source());
    assertEquals(4, delta.version());
  }

  @Test
  void computeWindowsAndHeldChangesRoundTripAndOlderRowsReadAsNoWindow() throws Exception {
    StoredValue value = StoredValue.fromJson("42".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    ComputeWindow window = new ComputeWindow(TxnSnapshot.parse("100:105:100,103"), TxnSnapshot.parse("103:110:"));
    KeyEvent.ValueStored stored = new KeyEvent.ValueStored(1, AT, value, KeyEvent.Origin.COMPUTED, Map.of(), Map.of(),
        null, 1, window);
    assertEquals(window, ((KeyEvent.ValueStored) roundTrip(stored)).window());
    KeyEvent.ValueConfirmed confirmed = new KeyEvent.ValueConfirmed(AT, Map.of(), Map.of(), null, window);
    assertEquals(window, ((KeyEvent.ValueConfirmed) roundTrip(confirmed)).window());
    KeyState state = KeyState.EMPTY.apply(stored);
    assertEquals(window, ((KeyState) roundTrip(state)).window());
    assertEquals(new KeyEvent.SourceHeld(AT, POSITION), roundTrip(new KeyEvent.SourceHeld(AT, POSITION)));
    KeyState crowded = KeyState.EMPTY.apply(new KeyEvent.ValueStored(1, AT, value, KeyEvent.Origin.COMPUTED, Map.of(),
        Map.of(), null, 1, new ComputeWindow(new TxnSnapshot(5, 9, null), null)));
    assertNull(((KeyState) roundTrip(crowded)).window().before().running(), "a list too long to keep stays unknown");
    KeyCommand.SourceChange change = new KeyCommand.SourceChange(POSITION, false, value, 0xFFFF_FFF0L,
        testKit.createTestProbe(KeyReply.class).getRef());
    assertEquals(0xFFFF_FFF0L, ((KeyCommand.SourceChange) roundTrip(change)).xid());

    assertNull(((KeyEvent.ValueStored) without(stored, "window")).window(), "journaled before windows");
    assertNull(((KeyState) without(state, "window")).window());
    assertEquals(value, ((KeyState) without(state, "window")).value());
  }

  @Test
  void positionsOrderByCommitThenPlaceInTheTransaction() {
    assertTrue(new SourcePosition(5, 9).compareTo(new SourcePosition(6, 0)) < 0);
    assertTrue(new SourcePosition(6, 1).appliedBy(new SourcePosition(6, 1)));
    assertTrue(!new SourcePosition(6, 2).appliedBy(new SourcePosition(6, 1)));
    assertTrue(!new SourcePosition(6, 2).appliedBy(null));
    assertTrue(new SourcePosition(-1L, 0).compareTo(new SourcePosition(1, 0)) > 0, "LSNs compare unsigned");
    assertEquals(new SourcePosition(7, 0), SourcePosition.later(null, new SourcePosition(7, 0)));
  }

  /** Serializes {@code message}, removes the field "source" as an older release never wrote it, and reads it back. */
  private static Object withoutSource(Object message) throws Exception {
    return without(message, "source");
  }

  /** Serializes {@code message}, removes {@code field} as an older release never wrote it, and reads it back. */
  private static Object without(Object message, String field) throws Exception {
    Serializer serializer = serialization.findSerializerFor(message);
    byte[] bytes = serialization.serialize(message).get();
    ObjectNode tree = (ObjectNode) cbor.readTree(bytes);
    assertTrue(tree.has(field), "written: " + tree);
    tree.remove(field);
    String manifest = akka.serialization.Serializers.manifestFor(serializer, message);
    return serialization.deserialize(cbor.writeValueAsBytes(tree), serializer.identifier(), manifest).get();
  }

  private static Object roundTrip(Object message) {
    Serializer serializer = serialization.findSerializerFor(message);
    byte[] bytes = serialization.serialize(message).get();
    String manifest = akka.serialization.Serializers.manifestFor(serializer, message);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }
}
