package io.kck.spring;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Defaults that put KCK's health indicators in Actuator's probe groups: {@code
 * /actuator/health/liveness} reports {@code livenessState} and {@code kckLiveness}, {@code
 * /actuator/health/readiness} reports {@code readinessState} and {@code kckReadiness}, and the
 * probes are on (Spring Boot turns them on by itself only on Kubernetes). Added last, so any of the
 * application's own properties wins: it can list other members, or turn the probes off (then set
 * its own groups too, since these name the probes' indicators).
 */
public class KckEnvironmentPostProcessor implements EnvironmentPostProcessor {
  static final String SOURCE = "kck-health-groups";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    if (!environment.getProperty("kck.spring.enabled", Boolean.class, true)
        || environment.getPropertySources().contains(SOURCE)) {
      return;
    }
    environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of(
        "management.endpoint.health.probes.enabled", "true",
        "management.endpoint.health.group.liveness.include", "livenessState,kckLiveness",
        "management.endpoint.health.group.readiness.include", "readinessState,kckReadiness")));
  }
}
