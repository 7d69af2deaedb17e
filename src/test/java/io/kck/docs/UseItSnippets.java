package io.kck.docs;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import io.kck.Kck;
import io.kck.primer.Primer;

/** The code of docs/use-it.md, compiled so that the page cannot name an API that is not there. */
final class UseItSnippets {
  private UseItSnippets() {}

  static Kck plainJava(Primer<String> greetings) {
    // tag::plain-java[]
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "shop");
    Kck kck = Kck.start(system, greetings);          // your primers
    kck.get(greetings.key("world")).thenAccept(System.out::println);
    // end::plain-java[]
    return kck;
  }
}
