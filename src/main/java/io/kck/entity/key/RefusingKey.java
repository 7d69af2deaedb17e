package io.kck.entity.key;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyReply;
import io.kck.entity.Problem;

/**
 * The actor of a key this node cannot serve (its text is not the canonical key of a registered
 * primer): it refuses every request at once with the same problem, ignores everything else, and
 * touches no journal.
 */
final class RefusingKey {
  private RefusingKey() {}

  static Behavior<KeyCommand> create(Problem problem) {
    KeyReply.Failed failed = new KeyReply.Failed(problem);
    return Behaviors.receive(KeyCommand.class)
        .onMessage(KeyCommand.Request.class, request -> {
          request.replyTo().tell(failed);
          return Behaviors.same();
        })
        .onMessageEquals(KeyCommand.Passivate.INSTANCE, Behaviors::stopped)
        .onAnyMessage(other -> Behaviors.same())
        .build();
  }
}
