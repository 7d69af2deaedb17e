package io.kck.spring;

import io.kck.Health.Check;
import io.kck.Kck;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness: every check of {@link io.kck.KckAdmin#health} passes, as KCK's own {@code
 * /health/ready} says: {@code cluster} (this node is an Up member), {@code sharding} (the key
 * entities' shard region answers), {@code database} (this node's probe reaches KCK's PostgreSQL),
 * {@code schema} (KCK's tables are there). Each check is a detail; the first failing one is named.
 */
public final class KckReadinessHealthIndicator implements HealthIndicator {
  private final Kck kck;
  private final Duration within;

  public KckReadinessHealthIndicator(Kck kck, Duration within) {
    this.kck = kck;
    this.within = within;
  }

  @Override
  public Health health() {
    io.kck.Health health;
    try {
      health = kck.admin().health(within).toCompletableFuture().get(within.toMillis() + 2_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return Health.down().withDetail("failing", "no answer within " + within).build();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Health.down().withDetail("failing", "interrupted").build();
    } catch (Exception e) {
      return Health.down().withDetail("failing", "health check failed").build();
    }
    Health.Builder builder = health.ready() ? Health.up() : Health.down();
    for (Check check : health.checks()) {
      builder.withDetail(check.name(), (check.ok() ? "ok: " : "failing: ") + check.detail());
    }
    health.checks().stream().filter(check -> !check.ok()).findFirst()
        .ifPresent(failing -> builder.withDetail("failing", failing.name()));
    return builder.build();
  }
}
