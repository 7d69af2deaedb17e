package io.kck.entity;

import akka.actor.Dropped;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.Behaviors;
import java.util.Optional;

/**
 * Answers requests that a key's actor dropped. While a key loads its state or writes an event it
 * buffers incoming requests; when that buffer ({@code kck.entity.stash-capacity}) is full, Akka
 * drops the request and publishes it as {@link Dropped}. Without this actor its caller would
 * only learn of it from a timeout; with it, the caller fails at once with {@link
 * Problem.Kind#OVERLOADED}.
 */
public final class OverflowResponder {
  private OverflowResponder() {}

  public static Behavior<Dropped> create() {
    return Behaviors.setup(
        context -> {
          context.getSystem().eventStream().tell(new EventStream.Subscribe<>(Dropped.class, context.getSelf()));
          return Behaviors.receiveMessage(
              dropped -> {
                replyToOf(dropped.message())
                    .ifPresent(
                        replyTo ->
                            replyTo.tell(
                                new KeyReply.Failed(
                                    Problem.of(
                                        Problem.Kind.OVERLOADED,
                                        "Key actor " + dropped.recipient().path().name()
                                            + " dropped a request: " + dropped.reason()
                                            + " (raise kck.entity.stash-capacity, or send fewer"
                                            + " requests at once)",
                                        null))));
                return Behaviors.same();
              });
        });
  }

  /** The dropped message is a KeyCommand, or Akka's internal envelope around one. */
  private static Optional<ActorRef<KeyReply>> replyToOf(Object message) {
    Object command = message;
    if (message instanceof scala.Product envelope && !(message instanceof KeyCommand)
        && envelope.productArity() == 1) {
      command = envelope.productElement(0);
    }
    if (command instanceof KeyCommand.Get get) {
      return Optional.of(get.replyTo());
    }
    if (command instanceof KeyCommand.Refresh refresh) {
      return Optional.of(refresh.replyTo());
    }
    if (command instanceof KeyCommand.Put put) {
      return Optional.of(put.replyTo());
    }
    if (command instanceof KeyCommand.Invalidate invalidate) {
      return Optional.of(invalidate.replyTo());
    }
    return Optional.empty();
  }
}
