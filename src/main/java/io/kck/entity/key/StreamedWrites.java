package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.Materializer;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.entity.Problem;
import io.kck.entity.StreamedValue;
import io.kck.errors.KckException;
import io.kck.persistence.StoredValue;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Stands before a key's actor and pulls the value of a put, or the delta of an augment, that came
 * from another node as a stream (too large for one message, see {@code FrameSizedSerializer});
 * once it has arrived, the key gets the request as if it had come whole. Every other command
 * passes straight through. A value that does not arrive (the sender's node went away, it did not
 * subscribe in time, it brought the wrong number of bytes) fails the request with the reason, and
 * the key changes nothing.
 *
 * <p>The key may take other commands while a value is on its way: the write is ordered by when its
 * value arrived, which its caller cannot tell apart from its being sent a little later. Used by the
 * key's actor only, on its thread; the pulls run on Akka streams.
 */
final class StreamedWrites extends BehaviorInterceptor<KeyCommand, KeyCommand> {
  private final String key;
  private final long maxValueBytes;

  private StreamedWrites(String key, long maxValueBytes) {
    super(KeyCommand.class);
    this.key = key;
    this.maxValueBytes = maxValueBytes;
  }

  /** {@code behavior}, with streamed writes pulled before it sees them. */
  static Behavior<KeyCommand> before(String key, long maxValueBytes, Behavior<KeyCommand> behavior) {
    return Behaviors.intercept(() -> new StreamedWrites(key, maxValueBytes), behavior);
  }

  @Override
  public Behavior<KeyCommand> aroundReceive(TypedActorContext<KeyCommand> context, KeyCommand command,
      ReceiveTarget<KeyCommand> target) {
    if (command instanceof KeyCommand.Put put && put.streamed() != null) {
      pull(context, put.streamed(), put.replyTo(), value -> put.withValue(value, null));
      return Behaviors.same();
    }
    if (command instanceof KeyCommand.Augment augment && augment.streamed() != null) {
      pull(context, augment.streamed(), augment.replyTo(), delta -> augment.withDelta(delta, null));
      return Behaviors.same();
    }
    if (command instanceof KeyCommand.Arrived arrived) {
      return target.apply(context, arrived.whole());
    }
    return target.apply(context, command);
  }

  private void pull(TypedActorContext<KeyCommand> context, StreamedValue streamed, ActorRef<KeyReply> replyTo,
      Function<StoredValue, KeyCommand.Request> whole) {
    ActorRef<KeyCommand> self = context.asJava().getSelf();
    CompletionStage<StoredValue> arrived =
        streamed.receive(key, maxValueBytes, Materializer.matFromSystem(context.asJava().getSystem()));
    arrived.whenComplete((value, error) -> {
      if (error == null) {
        self.tell(new KeyCommand.Arrived(whole.apply(value))); // (ActorRef.tell is safe from any thread)
      } else {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        replyTo.tell(new KeyReply.Failed(Problem.of(KckException.Kind.UNAVAILABLE, cause.getMessage(), cause)));
      }
    });
  }
}
