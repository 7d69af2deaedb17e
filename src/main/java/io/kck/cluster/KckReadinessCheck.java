package io.kck.cluster;

import akka.actor.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import io.kck.Kck;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KCK's readiness ({@link io.kck.KckAdmin#health}: cluster member Up, shard region answering,
 * database reachable, tables present) as an Akka Management readiness check, so that Akka
 * Management's {@code /ready} answers for KCK too and a deployment needs one set of probes. KCK's
 * reference.conf registers it ({@code akka.management.health-checks.readiness-checks.kck}); it
 * does nothing unless Akka Management runs.
 *
 * <p>Not ready until {@code Kck.start} has run on the ActorSystem. A check that fails logs (once per
 * change) which of KCK's checks failed and why; Akka Management's answer only says "not ok".
 */
public final class KckReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private static final Logger log = LoggerFactory.getLogger(KckReadinessCheck.class);

  private final ActorSystem system;
  private final Duration within;
  private final AtomicReference<String> lastProblem = new AtomicReference<>("");

  /** Akka Management creates it, with its ActorSystem. */
  public KckReadinessCheck(ActorSystem system) {
    this.system = system;
    String timeout = "akka.management.health-checks.check-timeout";
    Duration checkTimeout = system.settings().config().hasPath(timeout)
        ? system.settings().config().getDuration(timeout) : Duration.ofSeconds(1);
    // KCK's shard region must answer before Akka Management gives up on the whole check.
    this.within = checkTimeout.multipliedBy(4).dividedBy(5);
  }

  @Override
  public CompletionStage<Boolean> get() {
    Kck kck = ClusterFormation.on(system);
    if (kck == null) {
      String problem = Kck.waitingForDatabase(Adapter.toTyped(system))
          .map(health -> health.checks().get(0).name() + ": " + health.checks().get(0).detail())
          .orElse("KCK is not started on this node");
      return CompletableFuture.completedFuture(changed(problem));
    }
    return kck.admin().health(within).thenApply(health -> changed(health.checks().stream()
        .filter(check -> !check.ok()).findFirst().map(check -> check.name() + ": " + check.detail()).orElse("")));
  }

  /** Whether {@code problem} is none; logs it when it is new. */
  private boolean changed(String problem) {
    String before = lastProblem.getAndSet(problem);
    if (!problem.equals(before)) {
      if (problem.isEmpty()) {
        log.info("KCK is ready");
      } else {
        log.info("KCK is not ready: {}", problem);
      }
    }
    return problem.isEmpty();
  }
}
