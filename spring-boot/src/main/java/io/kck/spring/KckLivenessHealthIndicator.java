package io.kck.spring;

import akka.actor.typed.ActorSystem;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Liveness: KCK's ActorSystem has not terminated. A terminated one (a node downed by the
 * split-brain resolver, a fatal error) does not come back: the process needs a restart, which is
 * what a failing liveness probe asks for. A database outage does not touch liveness (KCK recovers
 * by itself when the database returns): that is readiness.
 */
public final class KckLivenessHealthIndicator implements HealthIndicator {
  private final ActorSystem<?> system;

  public KckLivenessHealthIndicator(ActorSystem<?> system) {
    this.system = system;
  }

  @Override
  public Health health() {
    boolean terminated = system.getWhenTerminated().toCompletableFuture().isDone();
    return (terminated ? Health.down() : Health.up()).withDetail("actorSystem", system.name()).build();
  }
}
