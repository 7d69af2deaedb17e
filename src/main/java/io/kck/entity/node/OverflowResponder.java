package io.kck.entity.node;

import akka.actor.Dropped;
import akka.actor.typed.Behavior;
import akka.actor.typed.eventstream.EventStream;
import akka.actor.typed.javadsl.Behaviors;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.entity.Problem;
import io.kck.errors.KckException;

/**
 * Answers requests that a key's actor dropped. While a key loads its state or writes an event it
 * buffers incoming requests; when that buffer ({@code kck.entity.stash-capacity}) is full, Akka
 * drops the request and publishes it as {@link Dropped}. Without this actor its caller would only
 * learn of it from a timeout; with it, every {@link KeyCommand.Request} fails at once with {@link
 * KckException.Kind#OVERLOADED}.
 */
final class OverflowResponder {
  private OverflowResponder() {}

  static Behavior<Dropped> create() {
    return Behaviors.setup(context -> {
      context.getSystem().eventStream().tell(new EventStream.Subscribe<>(Dropped.class, context.getSelf()));
      return Behaviors.receiveMessage(dropped -> {
        if (requestIn(dropped.message()) instanceof KeyCommand.Request request) {
          request.replyTo().tell(new KeyReply.Failed(Problem.of(KckException.Kind.OVERLOADED,
              "Key actor " + dropped.recipient().path().name() + " dropped a request: " + dropped.reason()
                  + " (raise kck.entity.stash-capacity, or send fewer requests at once)", null)));
        }
        return Behaviors.same();
      });
    });
  }

  /** The dropped message is a command, or Akka's internal envelope around one. */
  private static Object requestIn(Object message) {
    if (message instanceof scala.Product envelope && !(message instanceof KeyCommand) && envelope.productArity() == 1) {
      return envelope.productElement(0);
    }
    return message;
  }
}
