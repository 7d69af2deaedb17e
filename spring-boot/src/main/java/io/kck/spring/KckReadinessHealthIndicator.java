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
 * {@code schema} (KCK's tables are there), and {@code sources} when primers declare source tables.
 * Each check is a detail; the first failing one is named. A node that is ready but degraded (a
 * source tables' replication slot lagging past {@code kck.sources.max-lag}) stays {@code UP}, as
 * KCK's {@code /health/ready} stays 200, with {@code degraded: true} and {@code degradedBy} naming
 * the check: taking the node out of traffic would not make the slot catch up.
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
      builder.withDetail(check.name(), (!check.ok() ? "failing: " : check.degraded() ? "degraded: " : "ok: ") + check.detail());
    }
    health.checks().stream().filter(check -> !check.ok()).findFirst()
        .ifPresent(failing -> builder.withDetail("failing", failing.name()));
    builder.withDetail("degraded", health.degraded());
    health.checks().stream().filter(Check::degraded).findFirst()
        .ifPresent(degraded -> builder.withDetail("degradedBy", degraded.name() + ": " + degraded.detail()));
    return builder.build();
  }
}
