package io.kck.entity;

import akka.stream.Materializer;
import akka.stream.SourceRef;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.StreamRefs;
import akka.util.ByteString;
import com.typesafe.config.Config;
import io.kck.persistence.StoredValue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A value's JSON on its way to another node as a stream of chunks, because it does not fit in one
 * of Akka remoting's frames ({@code akka.remote.artery.advanced.maximum-frame-size}): the message
 * that would have carried it carries this instead ({@link FrameSizedSerializer}), and the node that
 * receives it pulls the chunks through an Akka stream reference. The chunks are slices of the
 * value's bytes (nothing is copied on the sending node); the receiver asks for more only as it
 * takes them, so at most a few chunks are in flight, and it holds the value once, as it would have
 * held it arriving in one message.
 *
 * <p>The sending side waits for the receiver to subscribe for {@code
 * akka.stream.materializer.stream-ref.subscription-timeout} (30 s by default), then gives up; the
 * receiving side fails then, and when the stream breaks or brings other than {@code length} bytes.
 *
 * @param chunks the value's JSON, in chunks
 * @param length how many bytes of JSON the chunks add up to
 */
public record StreamedValue(SourceRef<ByteString> chunks, int length) {

  /** Where the frame size is configured (named in errors). */
  public static final String FRAME_SETTING = "akka.remote.artery.advanced.maximum-frame-size";

  /** The frame size a node's remoting runs with (Akka's default: 256 KiB). */
  public static int frameBytes(Config config) {
    return config.hasPath(FRAME_SETTING) ? (int) Math.min(Integer.MAX_VALUE, config.getBytes(FRAME_SETTING)) : 262_144;
  }

  /**
   * The largest value, as JSON, a message carries inline: three quarters of the frame, which leaves
   * the rest for the message around it (the key, its metadata, the envelope's actor paths).
   */
  public static int inlineLimit(int frameBytes) {
    return frameBytes / 4 * 3;
  }

  /** The size of a chunk: a quarter of the frame, so that a chunk and its envelope always fit. */
  static int chunkBytes(int frameBytes) {
    return Math.max(1024, frameBytes / 4);
  }

  /**
   * Offers {@code value}'s JSON as a stream of chunks of {@code chunkBytes}, for whoever subscribes
   * first within the subscription timeout.
   */
  static StreamedValue offer(StoredValue value, int chunkBytes, Materializer materializer) {
    byte[] json = value.json();
    List<ByteString> chunks = new ArrayList<>(json.length / chunkBytes + 1);
    for (int at = 0; at < json.length; at += chunkBytes) {
      chunks.add(ByteString.fromArrayUnsafe(json, at, Math.min(chunkBytes, json.length - at)));
    }
    SourceRef<ByteString> ref = Source.from(chunks).runWith(StreamRefs.sourceRef(), materializer);
    return new StreamedValue(ref, json.length);
  }

  /**
   * Pulls the chunks into one value: completes with it, or fails with {@link
   * IllegalStateException} naming {@code key} when the stream breaks, times out, or brings more or
   * fewer bytes than announced, or when it announces more than {@code maxBytes} ({@code
   * kck.max-value-bytes}; nothing is pulled then).
   */
  public CompletionStage<StoredValue> receive(String key, long maxBytes, Materializer materializer) {
    if (length < 0 || length > maxBytes) {
      return CompletableFuture.failedFuture(new IllegalStateException("A value of " + length + " bytes for key '" + key
          + "' was refused: kck.max-value-bytes is " + maxBytes));
    }
    byte[] json = new byte[length]; // the chunks are copied in as they come: the value is held once
    int[] received = {0};
    return chunks.getSource()
        .limitWeighted(length, chunk -> (long) chunk.size())
        .runForeach(chunk -> {
          if (received[0] + chunk.size() > length) {
            throw new IllegalStateException("more than the " + length + " bytes announced");
          }
          chunk.copyToArray(json, received[0], chunk.size());
          received[0] += chunk.size();
        }, materializer)
        .handle((done, error) -> {
          if (error != null) {
            throw new IllegalStateException("The value of key '" + key + "' (" + length + " bytes, streamed from"
                + " another node because it exceeds " + FRAME_SETTING + ") did not arrive: " + error, error);
          }
          if (received[0] != length) {
            throw new IllegalStateException("The value of key '" + key + "' streamed from another node brought "
                + received[0] + " bytes instead of " + length);
          }
          return StoredValue.fromJson(json);
        });
  }
}
