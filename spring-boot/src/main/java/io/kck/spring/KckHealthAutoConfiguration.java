package io.kck.spring;

import akka.actor.typed.ActorSystem;
import io.kck.Kck;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * KCK's health as Actuator health indicators, where Actuator's health API is on the class path:
 * {@code kckLiveness} (its ActorSystem runs) and {@code kckReadiness} (every check of {@link
 * io.kck.KckAdmin#health} passes: cluster member up, shard region answers, database reachable,
 * tables there). {@link KckEnvironmentPostProcessor} puts them in the {@code liveness} and {@code
 * readiness} groups.
 */
@AutoConfiguration(after = KckAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Kck.class)
public class KckHealthAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "kckLivenessHealthIndicator")
  KckLivenessHealthIndicator kckLivenessHealthIndicator(ActorSystem<?> system) {
    return new KckLivenessHealthIndicator(system);
  }

  @Bean
  @ConditionalOnMissingBean(name = "kckReadinessHealthIndicator")
  KckReadinessHealthIndicator kckReadinessHealthIndicator(Kck kck, KckProperties properties) {
    return new KckReadinessHealthIndicator(kck, properties.getHealthTimeout());
  }
}
