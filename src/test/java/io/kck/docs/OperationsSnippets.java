package io.kck.docs;

import akka.actor.typed.ActorSystem;
import io.kck.ForgetReport;
import io.kck.Health;
import io.kck.Kck;
import io.kck.KeyInfo;
import io.kck.http.KckHttp;
import io.kck.primer.Key;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The Java of docs/operations.md and docs/http-api.md. */
final class OperationsSnippets {
  private OperationsSnippets() {}

  static Kck prometheus(ActorSystem<Void> system, RegisterSales registerSales) {
    // tag::prometheus[]
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Kck kck = Kck.builder(system).primers(registerSales).meterRegistry(registry).start();
    // end::prometheus[]
    return kck;
  }

  static void admin(Kck kck, Key<DaySales> key) {
    // tag::admin[]
    Health health = kck.admin().health(Duration.ofSeconds(1)).toCompletableFuture().join();
    boolean ready = health.ready();           // the same checks as GET /health/ready
    KeyInfo info = kck.admin().inspect(key).toCompletableFuture().join(); // what the key's actor is doing
    ForgetReport swept = kck.admin().forgetUnused().toCompletableFuture().join(); // a retention sweep, now
    // end::admin[]
  }

  static void stop(ActorSystem<Void> system) throws Exception {
    // tag::stop[]
    system.terminate(); // Akka's coordinated shutdown: keys handed off, the HTTP service unbound, KCK's threads ended
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS); // when you must wait for it
    // end::stop[]
  }

  static void http(Kck kck) {
    // tag::http-start[]
    KckHttp.start(kck);                       // on kck.http.interface:kck.http.port
    KckHttp.start(kck, "127.0.0.1", 8081);     // or where you say
    // end::http-start[]
  }
}
