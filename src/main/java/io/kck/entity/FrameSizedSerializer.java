package io.kck.entity;

import akka.actor.ExtendedActorSystem;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import akka.serialization.jackson.JacksonSerializer;
import akka.stream.Materializer;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.kck.persistence.StoredValue;
import java.util.Optional;

/**
 * Akka's Jackson CBOR serializer for the messages that may carry a whole value to another node
 * (a key's {@link KeyReply.Ok}, a {@link KeyCommand.Put}, an {@link KeyCommand.Augment}'s delta, a
 * watcher's {@link KeyUpdate.Changed}, and
 * the delta or entry a {@link KeyCommand.InputChanged} may bring its dependent),
 * that keeps each message within one remoting frame ({@code
 * akka.remote.artery.advanced.maximum-frame-size}, 256 KiB by default; Akka drops a larger message
 * with an "oversized" error and its sender would wait for its timeout). A value whose JSON is
 * within three quarters of the frame travels inline, as with plain {@code jackson-cbor}; a larger one
 * is replaced by a {@link StreamedValue}: an {@code Ok} is written as a {@link KeyReply.Streamed}, a
 * {@code Changed} as a {@link KeyUpdate.Streamed},
 * a put or an augment with its value as a stream. The receiving node pulls the chunks ({@link
 * KeyClient} for replies and updates, the key's actor for writes) before anyone sees the message. An {@code
 * InputChanged} loses its too-large delta or entry instead (both are shortcuts: the dependent
 * recomputes, or asks the input).
 *
 * <p>Only messages that cross to another node are serialized (and, in tests, those that
 * {@code akka.actor.serialize-messages} checks): a value sent on its own node never travels as a
 * stream, and nothing journaled is written by this serializer (events and snapshots stay with
 * {@code jackson-cbor}). What is written is plain Jackson CBOR, but under this serializer's own
 * identifier: a node of an earlier release, which lacks it, cannot read these messages at all
 * (docs/operations.md gives the two-step roll). Thread-safe.
 */
public final class FrameSizedSerializer extends JacksonSerializer {
  /** "KCK" and 1: an identifier of KCK's own, outside the range Akka reserves (0 to 40). */
  static final int IDENTIFIER = 0x4B434B01;
  private static final KeyReply.Streamed STREAMED_SAMPLE = new KeyReply.Streamed(null, null);
  private static final KeyUpdate.Streamed STREAMED_UPDATE_SAMPLE = new KeyUpdate.Streamed(null, null);

  private final ExtendedActorSystem system;
  private final int inlineLimit;
  private final int chunkBytes;
  private volatile Materializer materializer;

  public FrameSizedSerializer(ExtendedActorSystem system) {
    super(system, "jackson-cbor",
        JacksonObjectMapperProvider.get(system).getOrCreate("jackson-cbor", Optional.of(new CBORFactory())));
    this.system = system;
    int frame = StreamedValue.frameBytes(system.settings().config());
    this.inlineLimit = StreamedValue.inlineLimit(frame);
    this.chunkBytes = StreamedValue.chunkBytes(frame);
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object message) {
    if (message instanceof KeyReply.Ok ok && tooLarge(ok.entry().value())) {
      return super.manifest(STREAMED_SAMPLE);
    }
    if (message instanceof KeyUpdate.Changed changed && tooLarge(changed.entry().value())) {
      return super.manifest(STREAMED_UPDATE_SAMPLE);
    }
    return super.manifest(message);
  }

  @Override
  public byte[] toBinary(Object message) {
    return super.toBinary(onTheWire(message));
  }

  /** The message as it crosses: with a value too large for a frame as a stream (started here). */
  private Object onTheWire(Object message) {
    if (message instanceof KeyReply.Ok ok && tooLarge(ok.entry().value())) {
      return new KeyReply.Streamed(withoutValue(ok.entry()), offer(ok.entry().value()));
    }
    if (message instanceof KeyUpdate.Changed changed && tooLarge(changed.entry().value())) {
      return new KeyUpdate.Streamed(withoutValue(changed.entry()), offer(changed.entry().value()));
    }
    if (message instanceof KeyCommand.Put put && tooLarge(put.value())) {
      return put.withValue(null, offer(put.value()));
    }
    if (message instanceof KeyCommand.Augment augment && tooLarge(augment.delta())) {
      return augment.withDelta(null, offer(augment.delta()));
    }
    if (message instanceof KeyCommand.InputChanged changed
        && ((changed.delta() != null && tooLarge(changed.delta().delta()))
            || (changed.carried() != null && tooLarge(changed.carried().value())))) {
      // Both are shortcuts for the dependent: without the delta it recomputes, without the carried
      // entry it asks the input. Dropping them keeps the notification itself from being lost.
      boolean deltaFits = changed.delta() == null || !tooLarge(changed.delta().delta());
      boolean carriedFits = changed.carried() == null || !tooLarge(changed.carried().value());
      return new KeyCommand.InputChanged(changed.input(), changed.version(), changed.cause(), changed.outdated(),
          deltaFits ? changed.delta() : null, carriedFits ? changed.carried() : null, changed.wave());
    }
    return message;
  }

  private static EntryData withoutValue(EntryData entry) {
    return new EntryData(entry.key(), null, entry.version(), entry.computedAt(), entry.stale(), entry.refreshing(),
        entry.lastError(), entry.nextAttemptAt(), entry.lineage(), entry.freshUntil());
  }

  private boolean tooLarge(StoredValue value) {
    return value != null && value.json().length > inlineLimit;
  }

  private StreamedValue offer(StoredValue value) {
    Materializer known = materializer;
    if (known == null) { // not in the constructor: serializers are made while the system starts
      known = materializer = Materializer.matFromSystem(system);
    }
    return StreamedValue.offer(value, chunkBytes, known);
  }
}
