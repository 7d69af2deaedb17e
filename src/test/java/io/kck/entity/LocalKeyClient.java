package io.kck.entity;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import io.kck.persistence.DatabaseHealth;
import java.time.Duration;
import java.util.function.Function;

/** A {@link KeyClient} that reaches each key through a ref a test gives (an inbox, a probe), without Cluster Sharding. */
public final class LocalKeyClient {
  private LocalKeyClient() {}

  /** Each key's messages go to {@code refs} of its text; asks time out after {@code timeout}. */
  public static KeyClient routingTo(Function<String, ActorRef<KeyCommand>> refs, DatabaseHealth health, Duration timeout) {
    return new KeyClient(key -> TestEntityRef.of(KeyNames.TYPE_KEY, key, refs.apply(key)), () -> false, timeout, health,
        timeout, Duration.ZERO);
  }
}
