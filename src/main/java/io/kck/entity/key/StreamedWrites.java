package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.stream.Materializer;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.entity.Problem;
import io.kck.entity.StreamedValue;
import io.kck.errors.KckException;
import io.kck.persistence.StoredValue;
import java.util.function.Function;

/**
 * Pulls the value of a put, or the delta of an augment, that came from another node as a stream
 * (too large for one message, see {@code FrameSizedSerializer}) before the key handles it: once the
 * value has arrived, the key gets the request back ({@link KeyCommand.Arrived}) as if it had come
 * whole. A value that does not arrive (the sender's node went away, it did not subscribe in time,
 * it brought the wrong number of bytes, it announced more than {@code kck.max-value-bytes}) fails
 * the request with the reason, naming the key, and the key changes nothing.
 *
 * <p>The key takes other commands while a value is on its way: the write is ordered by when its
 * value arrived, which its caller cannot tell apart from its being sent a little later. Used by the
 * key's actor only, on its thread; the pulls run on Akka streams.
 */
final class StreamedWrites {
  private final String key;
  private final long maxValueBytes;
  private final ActorContext<KeyCommand> context;

  StreamedWrites(String key, long maxValueBytes, ActorContext<KeyCommand> context) {
    this.key = key;
    this.maxValueBytes = maxValueBytes;
    this.context = context;
  }

  /** Whether {@code command} is a write whose value is still to be pulled. */
  static boolean streamed(KeyCommand command) {
    return command instanceof KeyCommand.Put put && put.streamed() != null
        || command instanceof KeyCommand.Augment augment && augment.streamed() != null;
  }

  /** Starts pulling the value of {@code command}, a write that is {@link #streamed}. */
  void pull(KeyCommand command) {
    if (command instanceof KeyCommand.Put put) {
      pull(put.streamed(), put.replyTo(), value -> put.withValue(value, null));
    } else if (command instanceof KeyCommand.Augment augment) {
      pull(augment.streamed(), augment.replyTo(), delta -> augment.withDelta(delta, null));
    }
  }

  private void pull(StreamedValue streamed, ActorRef<KeyReply> replyTo, Function<StoredValue, KeyCommand.Request> whole) {
    ActorRef<KeyCommand> self = context.getSelf();
    streamed.receive(key, maxValueBytes, Materializer.matFromSystem(context.getSystem())).whenComplete((value, error) -> {
      if (error == null) {
        self.tell(new KeyCommand.Arrived(whole.apply(value))); // (ActorRef.tell is safe from any thread)
      } else {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        replyTo.tell(new KeyReply.Failed(Problem.of(KckException.Kind.UNAVAILABLE, cause.getMessage(), cause)));
      }
    });
  }
}
