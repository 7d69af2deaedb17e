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
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What operations ask of a node: {@code GET /health/alive} (the service answers), {@code GET
 * /health/ready} (200 when every readiness check passes, degraded or not, else 503; JSON naming each check), and
 * {@code GET /metrics} (KCK's meters in Prometheus' text format, from the Prometheus registry KCK
 * was given, or one this service adds to {@link io.kck.KckAdmin#meters()}).
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
  private final PrometheusMeterRegistry prometheus;
  private final RecentChanges changes;

  Operations(Kck kck, ObjectMapper json) {
    this.kck = kck;
    this.json = json;
    this.prometheus = prometheusOf(kck);
    this.changes = new RecentChanges(kck);
  }

  /**
   * The Prometheus registry among those KCK records into (one given to {@code
   * Kck.builder(system).meterRegistry(...)}: it holds every count since KCK started); otherwise
   * one added now, which Micrometer warns about once (meters registered before it came have no
   * counts from before in it, except {@code kck.gets}: KCK counts gets itself, and every registry
   * reads the count since KCK started).
   */
  private static PrometheusMeterRegistry prometheusOf(Kck kck) {
    for (MeterRegistry registry : kck.admin().meters().getRegistries()) {
      if (registry instanceof PrometheusMeterRegistry given) {
        return given;
      }
    }
    PrometheusMeterRegistry added = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    kck.admin().meters().add(added);
    return added;
  }

  /**
   * Per primer, since this service started on this node: gets by outcome and the share answered
   * from a fresh value, computes by cause, compute duration p50 and p99 (of stored values), failed
   * and timed-out computes, live keys. What the page's primer table shows.
   */
  Route stats() {
    ObjectNode body = json.createObjectNode();
    ArrayNode primers = body.putArray("primers");
    kck.primers().forEach(primer -> {
      String name = primer.name();
      ObjectNode row = primers.addObject().put("primer", name);
      ObjectNode gets = row.putObject("gets");
      double all = 0;
      double hits = 0;
      for (FunctionCounter counter : prometheus.find("kck.gets").tag("primer", name).functionCounters()) {
        String outcome = counter.getId().getTag("outcome");
        gets.put(outcome, (long) counter.count());
        all += counter.count();
        hits += outcome.startsWith("hit") ? counter.count() : 0;
      }
      row.put("hitRatio", all == 0 ? 0 : hits / all);
      ObjectNode computes = row.putObject("computes");
      prometheus.find("kck.computes").tag("primer", name).counters()
          .forEach(counter -> computes.put(counter.getId().getTag("cause"), (long) counter.count()));
      long failures = 0;
      for (Timer timer : prometheus.find("kck.compute.duration").tag("primer", name).timers()) {
        String outcome = timer.getId().getTag("outcome");
        if (outcome.equals("failed") || outcome.equals("timed_out")) {
          failures += timer.count();
        } else if (outcome.equals("stored")) {
          for (ValueAtPercentile percentile : timer.takeSnapshot().percentileValues()) {
            row.put(percentile.percentile() == 0.5 ? "computeP50Ms" : "computeP99Ms",
                percentile.value(TimeUnit.MILLISECONDS));
          }
        }
      }
      row.put("computeFailures", failures);
      Gauge live = prometheus.find("kck.keys.live").tag("primer", name).gauge();
      row.put("liveKeys", live == null ? 0 : (long) live.value());
    });
    return complete(HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString())));
  }

  /** The last changes of keys on this node, newest first ({@link RecentChanges}). */
  Route changes() {
    ArrayNode list = json.createArrayNode();
    for (RecentChanges.Change change : changes.latest()) {
      list.addObject().put("key", change.key()).put("action", change.action()).put("version", change.version())
          .put("failed", change.failed()).put("at", change.at().toString());
    }
    return complete(HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, list.toString())));
  }

  Route health() {
    return concat(
        path("alive", () -> get(() -> complete(HttpResponse.create().withStatus(StatusCodes.OK)
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"alive\":true}"))))),
        path("ready", () -> get(() -> onSuccess(kck.admin().health(READY_WITHIN), this::ready))));
  }

  Route metrics() {
    return get(() -> complete(HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(PROMETHEUS_TEXT, prometheus.scrape().getBytes(StandardCharsets.UTF_8)))));
  }

  private Route ready(Health health) {
    ObjectNode body = json.createObjectNode().put("ready", health.ready());
    ArrayNode checks = body.putArray("checks");
    for (Health.Check check : health.checks()) {
      checks.addObject().put("name", check.name()).put("ok", check.ok()).put("degraded", check.degraded())
          .put("detail", check.detail());
    }
    health.checks().stream().filter(check -> !check.ok()).findFirst()
        .ifPresent(failing -> body.put("failing", failing.name()));
    // Degraded is still 200: a probe that restarted or unrouted the pod would not make the slot catch up.
    body.put("degraded", health.degraded());
    health.checks().stream().filter(Health.Check::degraded).findFirst()
        .ifPresent(degraded -> body.put("degradedBy", degraded.name() + ": " + degraded.detail()));
    return complete(HttpResponse.create().withStatus(health.ready() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString())));
  }
}
