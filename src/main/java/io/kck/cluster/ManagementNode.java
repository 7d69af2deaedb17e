package io.kck.cluster;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.Uri;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only class that uses Akka Management's types: loaded by {@link ClusterFormation} once it
 * has checked that Akka Management is on the class path, so that an application without it never
 * loads this class.
 */
final class ManagementNode {
  private static final Logger log = LoggerFactory.getLogger(ManagementNode.class);
  /** Binding a local port takes milliseconds; this only bounds a machine that is stuck. */
  private static final long BIND_TIMEOUT_SECONDS = 30;

  private ManagementNode() {}

  /**
   * Starts Akka Management's HTTP endpoint (Cluster Bootstrap's routes, health checks) and waits
   * until it is bound, then starts Cluster Bootstrap, which joins (or forms) the cluster in the
   * background.
   */
  static void start(ActorSystem<?> system) {
    AkkaManagement management = AkkaManagement.get(system);
    String where = system.settings().config().getString("akka.management.http.hostname") + ":"
        + system.settings().config().getString("akka.management.http.port");
    try {
      Uri uri = management.start().toCompletableFuture().get(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      log.info("Akka Management listens at {}; Cluster Bootstrap looks for the other nodes", uri);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause().getCause() != null ? e.getCause().getCause() : e.getCause();
      throw new IllegalStateException("kck.cluster.bootstrap = on: Akka Management cannot listen at " + where
          + " (akka.management.http.hostname, port, bind-hostname, bind-port): " + cause, cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("kck.cluster.bootstrap = on: Akka Management did not bind " + where
          + " within " + BIND_TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while Akka Management was starting", e);
    }
    ClusterBootstrap.get(system).start();
    // Stopped before the ActorSystem terminates under it: the endpoint, and the client pools that
    // Cluster Bootstrap probed the other nodes with (otherwise each logs an error as it dies).
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "kck-akka-management-stop", () -> management.stop()
            .thenCompose(done -> Http.get(system).shutdownAllConnectionPools())
            .thenApply(done -> akka.Done.getInstance()));
  }
}
