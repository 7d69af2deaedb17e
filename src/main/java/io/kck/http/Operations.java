package io.kck.http;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kck.Health;
import io.kck.Kck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * What operations ask of a node: {@code GET /health/alive} (the service answers), {@code GET
 * /health/ready} (200 when every readiness check passes, else 503; JSON naming each check), and
 * {@code GET /metrics} (KCK's meters in Prometheus' text format, from a Prometheus registry this
 * service adds to {@link io.kck.KckAdmin#meters()}).
 *
 * <p>Health answers without a token, for load balancers, and says nothing internal: check names
 * and fixed texts. Metrics are reads: the read token applies when one is set.
 */
final class Operations extends AllDirectives {
  /** How long the readiness check waits for the shard region. */
  static final Duration READY_WITHIN = Duration.ofSeconds(1);
  private static final ContentType PROMETHEUS_TEXT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final Kck kck;
  private final ObjectMapper json;
  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  Operations(Kck kck, ObjectMapper json) {
    this.kck = kck;
    this.json = json;
    kck.admin().meters().add(prometheus);
  }

  Route health() {
    return concat(
        path("alive", () -> get(() -> complete(HttpResponse.create().withStatus(StatusCodes.OK)
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"alive\":true}"))))),
        path("ready", () -> get(() -> onSuccess(kck.admin().health(READY_WITHIN), this::ready))));
  }

  Route metrics() {
    return get(() -> complete(HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(PROMETHEUS_TEXT, prometheus.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8)))));
  }

  private Route ready(Health health) {
    ObjectNode body = json.createObjectNode().put("ready", health.ready());
    ArrayNode checks = body.putArray("checks");
    for (Health.Check check : health.checks()) {
      checks.addObject().put("name", check.name()).put("ok", check.ok()).put("detail", check.detail());
    }
    health.checks().stream().filter(check -> !check.ok()).findFirst()
        .ifPresent(failing -> body.put("failing", failing.name()));
    return complete(HttpResponse.create().withStatus(health.ready() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString())));
  }
}
