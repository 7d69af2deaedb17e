package io.kck.http;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Connection;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.settings.ServerSettings;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.errors.KckException;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.RefreshSchedule;
import io.kck.primer.internal.ScheduleConfig;
import java.lang.reflect.Type;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KCK's HTTP service (Akka HTTP): data products as JSON, their updates as server-sent events, and a
 * page that shows them. Opt-in: {@code kck.http.enabled = on} starts it with {@code Kck.start}
 * ({@link HttpExtension}), or call {@link #start(Kck)}. It uses KCK's public API only. Endpoints
 * (keys are key texts, e.g. {@code register-sales/7/2026-11-02}):
 *
 * <ul>
 *   <li>{@code GET /api/keys/<key>}: the entry as JSON (value, version, computedAt, stale, ...),
 *       with {@code ETag: "<version>"}; {@code If-None-Match} with the current version answers 304.
 *       A key without a value is computed only when its primer's HTTP reads compute ({@code
 *       kck.primers."<name>".http-reads}, default {@code kck.http.reads = present-only}).
 *   <li>{@code PUT /api/keys/<key>} with the value as JSON, optional {@code If-Match:
 *       "<version>"}: put (412 when the key is no longer at that version); answers the entry.
 *   <li>{@code DELETE /api/keys/<key>}: invalidate.
 *   <li>{@code POST /api/refresh/<key>}: refresh; answers the entry.
 *   <li>{@code POST /api/augment/<key>} with the delta as JSON, optional {@code If-Match:
 *       "<version>"}: augment; answers {@code {"key", "version"}}.
 *   <li>{@code POST /api/bulk} with a JSON array of keys: one result per distinct key, streamed.
 *   <li>{@code GET /api/updates/<key>}: server-sent events, one per version ({@code id} = version).
 *   <li>{@code GET /api/warm}, {@code PUT} / {@code DELETE /api/warm/<key>}: the warm set.
 *   <li>{@code GET /api/primers}, {@code GET /api/live}: the primers; the keys live on this node
 *       with their status and edges (what the page draws).
 *   <li>{@code GET /api/stats}, {@code GET /api/changes}, {@code GET /api/neighbourhood/<key>}: per
 *       primer figures, the latest changes on this node, a key with its inputs and dependents.
 *   <li>{@code GET /}: the page.
 *   <li>{@code GET /health/alive}, {@code GET /health/ready}, {@code GET /metrics}: for operations
 *       ({@link Operations}).
 * </ul>
 *
 * <p>Who may do what ({@link RequestGuard}), how errors read ({@link Problems}), and every limit
 * are in docs/http-api.md and docs/security.md and in {@code
 * kck.http} of reference.conf.
 */
public final class KckHttp extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(KckHttp.class);

  private final Kck kck;
  private final HttpSettings settings;
  private final ObjectMapper json;
  private final Problems problems;
  private final EntryJson entries;
  private final RequestGuard guard;
  private final JsonBodies bodies;
  private final KeyReads reads;
  private final ConditionalPuts puts;
  private final BulkGet bulk;
  private final EventStreams streams;
  private final Operations operations;

  private KckHttp(Kck kck, HttpSettings settings) {
    Config config = kck.system().settings().config();
    Executor parsing = kck.system().dispatchers().lookup(DispatcherSelector.fromConfig("kck.http-dispatcher"));
    this.kck = kck;
    this.settings = settings;
    this.json = JacksonObjectMapperProvider.get(kck.system()).getOrCreate("kck-values", Optional.empty());
    this.problems = new Problems(settings.exposeErrors());
    this.entries = new EntryJson(json, problems);
    this.guard = new RequestGuard(settings);
    this.bodies = new JsonBodies(json, settings.json(), parsing);
    this.reads = new KeyReads(kck, config, settings.defaultReads(),
        new AnonymousComputes(settings.anonymousComputeInterval(), settings.anonymousComputeKeys()));
    this.puts = new ConditionalPuts(kck);
    this.bulk = new BulkGet(kck, reads, entries, problems, settings.bulkParallelism());
    this.streams = new EventStreams(settings.maxStreams(), settings.maxStreamsPerClient());
    this.operations = new Operations(kck, json);
  }

  /** Starts the service on {@code kck.http.interface} and {@code kck.http.port}. */
  public static CompletionStage<ServerBinding> start(Kck kck) {
    Config http = kck.system().settings().config().getConfig("kck.http");
    return start(kck, http.getString("interface"), http.getInt("port"));
  }

  /**
   * Starts the service on {@code host}:{@code port} (port 0: any free port; see the binding).
   *
   * @throws IllegalStateException if {@code host} is not a loopback address and no {@code
   *     kck.http.write-token} is set
   * @throws IllegalArgumentException if a {@code kck.http} setting is invalid
   */
  public static CompletionStage<ServerBinding> start(Kck kck, String host, int port) {
    ActorSystem<?> system = kck.system();
    HttpSettings settings = HttpSettings.of(system.settings().config(), host, port);
    KckHttp service = new KckHttp(kck, settings);
    Connections connections = new Connections(system, settings, service.route(), service.reserveRoute());
    // Unbound, and its open connections (event streams) closed, when the ActorSystem shuts down.
    return Http.get(system).newServerAt(host, port).withSettings(serverSettings(system, settings)).connectionSource()
        .to(Sink.foreach(connections::accept))
        .run(Materializer.matFromSystem(system))
        .thenApply(binding -> {
          log.info("KCK's HTTP service on {}: {}", url(binding.localAddress()), String.join("; ", settings.summary()));
          return binding.addToCoordinatedShutdown(Duration.ofSeconds(3), system);
        });
  }

  /**
   * The service's base URL at {@code address}, e.g. {@code http://127.0.0.1:8080} or {@code
   * http://[::1]:8080}: the host as bound (no reverse lookup), not {@link InetSocketAddress}'s
   * {@code "name/address:port"}, which made {@code http:///127.0.0.1:8080}.
   */
  static String url(InetSocketAddress address) {
    String host = address.getHostString();
    return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /**
   * Akka HTTP's server settings for this service: its own timeouts (derived from KCK's, so that
   * KCK answers first; the idle timeout is only the outer bound, {@link RequestDeadline} closes
   * idle connections much sooner), a listen backlog as long as the connections it holds, no Server header naming a version, the raw request target (for {@link
   * RawKeys}), the client's address (for stream caps), a body limit, and JSON for requests that
   * never reach a route ({@link JsonParsingErrors}).
   */
  private static ServerSettings serverSettings(ActorSystem<?> system, HttpSettings settings) {
    Duration idle = settings.requestTimeout().plusSeconds(10).compareTo(Duration.ofSeconds(60)) > 0
        ? settings.requestTimeout().plusSeconds(10) : Duration.ofSeconds(60);
    Config server = ConfigFactory.parseMap(Map.of(
            "akka.http.server.server-header", "",
            "akka.http.server.request-timeout", settings.requestTimeout().toMillis() + "ms",
            "akka.http.server.idle-timeout", idle.toMillis() + "ms",
            "akka.http.server.raw-request-uri-header", "on",
            // Akka's 100 made a burst of new connections wait a second per hundred for the
            // client's SYN to be sent again; the kernel queues as many as the service holds.
            "akka.http.server.backlog", Integer.toString(settings.maxConnections() + settings.healthConnections()),
            "akka.http.server.remote-address-attribute", "on",
            "akka.http.server.parsing.max-content-length", Long.toString(settings.maxBody()),
            // A header a client sent malformed (X-Forwarded-For: garbage) is the client's business:
            // one warning each would let anyone write the node's log.
            "akka.http.server.parsing.illegal-header-warnings", "off",
            "akka.http.server.parsing.error-handler", JsonParsingErrors.class.getName()))
        .withFallback(system.settings().config());
    return ServerSettings.create(server);
  }

  Route route() {
    return around(() -> concat(
        pathSingleSlash(() -> get(() -> getFromResource("io/kck/http/page.html", ContentTypes.TEXT_HTML_UTF8))),
        pathPrefix("health", operations::health),
        path("metrics", () -> guard.reads(operations::metrics)),
        pathPrefix("api", this::api)));
  }

  /**
   * The route of a connection in the health reserve ({@link ConnectionSlots}): health only, and
   * the connection closes after its one answer.
   */
  Route reserveRoute() {
    return respondWithHeader(Connection.create("close"), () -> around(() -> concat(
        pathPrefix("health", operations::health),
        complete(Problems.response(ErrorCode.OVERLOADED,
            "The service holds as many connections as it accepts; try again later", null)))));
  }

  /** What every route shares: JSON errors and timeouts, safe headers, the Host and Origin checks. */
  private Route around(Supplier<Route> inner) {
    return handleExceptions(exceptions(), () ->
        handleRejections(rejections(), () ->
            withRequestTimeoutResponse(request -> Problems.response(ErrorCode.UNAVAILABLE,
                    "The request took longer than the service waits (" + settings.requestTimeout().toSeconds() + " s)", null),
                () -> respondWithDefaultHeaders(SAFE_HEADERS, () -> guard.sameSite(inner)))));
  }

  private static final List<HttpHeader> SAFE_HEADERS = List.of(
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("Referrer-Policy", "no-referrer"));

  private Route api() {
    return concat(
        path("primers", () -> get(() -> guard.reads(() -> complete(entries.ok(primers()))))),
        path("live", () -> get(() -> guard.reads(() -> parameterOptional("after",
            after -> parameterOptional("limit", limit -> live(after.orElse(""), limit)))))),
        path("stats", () -> get(() -> guard.reads(operations::stats))),
        path("changes", () -> get(() -> guard.reads(operations::changes))),
        pathPrefix("neighbourhood", () -> get(() -> guard.reads(() -> keyText("neighbourhood", this::neighbourhood)))),
        path("bulk", () -> post(() -> guard.readsBy(anonymous -> guard.json(() -> body(bytes -> bulk(bytes, anonymous)))))),
        path("warm", () -> get(() -> guard.reads(this::warmKeys))),
        pathPrefix("warm", () -> keyText("warm", key -> concat(
            put(() -> guard.writes(() -> done(key, parsed -> kck.keepWarm(parsed), StatusCodes.NO_CONTENT))),
            delete(() -> guard.writes(() -> done(key, parsed -> kck.stopKeepingWarm(parsed), StatusCodes.NO_CONTENT)))))),
        pathPrefix("keys", () -> keyText("keys", this::keyRoute)),
        pathPrefix("refresh", () -> post(() -> guard.writes(() -> keyText("refresh", this::refresh)))),
        pathPrefix("augment", () -> post(() -> guard.writes(() -> keyText("augment", this::augment)))),
        pathPrefix("updates", () -> get(() -> guard.readsBy(anonymous -> keyText("updates", key ->
            extractRequest(request -> updates(key, settings.clients().of(request), anonymous)))))));
  }

  /** The key text of the request, as sent (see {@link RawKeys}). */
  private Route keyText(String endpoint, Function<String, Route> inner) {
    return extractRequest(request -> inner.apply(RawKeys.after(request, endpoint)));
  }

  private Route keyRoute(String text) {
    return concat(
        get(() -> guard.readsBy(anonymous -> withKey(text, key -> optionalHeaderValueByName("If-None-Match", ifNoneMatch ->
            onComplete(reads.entry(key, anonymous), result -> {
              if (!result.isSuccess()) {
                return complete(problems.response(result.failed().get(), text));
              }
              Entry<Object> entry = result.get();
              if (ifNoneMatch.filter(tags -> EntryJson.matches(tags, entry.version())).isPresent()) {
                return complete(HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED)
                    .addHeader(RawHeader.create("ETag", EntryJson.etag(entry.version()))));
              }
              return complete(entries.response(entry));
            }))))),
        put(() -> guard.writes(() -> withKey(text, key -> optionalHeaderValueByName("If-Match", ifMatch -> body(bytes ->
            entry(text, bodies.value(bytes, key.primer().valueType(), key.text())
                .thenCompose(value -> ifMatch.isPresent()
                    ? puts.put(objectKey(key), ifMatch.get(), value)
                    : kck.put(objectKey(key), value)))))))),
        delete(() -> guard.writes(() -> done(text, kck::invalidate, StatusCodes.NO_CONTENT))));
  }

  private Route refresh(String text) {
    return withKey(text, key -> entry(text, kck.refreshEntry(objectKey(key))));
  }

  private Route augment(String text) {
    return withKey(text, key -> optionalHeaderValueByName("If-Match", ifMatch -> {
      Optional<Long> expected;
      try {
        expected = ifMatch.map(tag -> Long.parseLong(tag.trim().replace("\"", "")));
      } catch (NumberFormatException e) {
        return complete(Problems.response(ErrorCode.BAD_REQUEST, "If-Match must be a version ETag like \"3\"", text));
      }
      Optional<Type> deltaType = key.primer().augment().map(augment -> augment.deltaType());
      if (deltaType.isEmpty()) {
        return complete(Problems.response(ErrorCode.INVALID_VALUE, "Keys of primer '" + key.primer().name()
            + "' cannot be augmented: it declares no augment()", text));
      }
      return body(bytes -> {
        CompletionStage<Object> delta = bodies.value(bytes, deltaType.get(), key.text());
        CompletionStage<Long> version = delta.thenCompose(value ->
            expected.isPresent() ? kck.augment(key, value, expected.get()) : kck.augment(key, value));
        return onComplete(version, result -> {
          if (!result.isSuccess()) {
            return complete(problems.response(result.failed().get(), text));
          }
          ObjectNode node = json.createObjectNode().put("key", key.text()).put("version", result.get());
          return complete(entries.ok(node).addHeader(RawHeader.create("ETag", EntryJson.etag(result.get()))));
        });
      });
    }));
  }

  private Route bulk(byte[] body, boolean anonymous) {
    return onComplete(bodies.keyList(body, settings.bulkMaxKeys()), result -> result.isSuccess()
        ? complete(bulk.answer(result.get(), anonymous))
        : complete(problems.response(result.failed().get(), null)));
  }

  private Route updates(String text, String client, boolean anonymous) {
    return withKey(text, key -> {
      // Read first, by the primer's policy: a stream is opened only on a key that has a value (or
      // was just computed for it), so that no request starts the actor of a made-up key to watch it.
      CompletionStage<Boolean> allowed = reads.entry(key, anonymous).thenApply(entry -> true);
      return onComplete(allowed, result -> {
        if (!result.isSuccess()) {
          return complete(problems.response(result.failed().get(), text));
        }
        Source<ServerSentEvent, NotUsed> events = streams.open(client, EventStreams.updates(kck, objectKey(key))
            .map(entry -> ServerSentEvent.create(entries.text(entries.node(entry)), "version", Long.toString(entry.version())))
            .keepAlive(settings.streamKeepAlive(), () -> (ServerSentEvent) ServerSentEvent.heartbeat())
            // A stream that fails (its subscriber fell behind, the node stops) ends like a closed
            // one: the client reconnects from the version it has. A failed entity would be logged
            // by Akka HTTP with its stack trace, once per stream.
            .recoverWithRetries(1, Throwable.class, () -> {
              log.debug("The event stream of key {} ended early", key);
              return Source.empty();
            }));
        if (events == null) {
          return complete(Problems.response(ErrorCode.OVERLOADED, "Too many event streams are open (at most "
              + settings.maxStreams() + ", " + settings.maxStreamsPerClient() + " per client); try again later", text));
        }
        return completeOK(events, EventStreamMarshalling.toEventStream());
      });
    });
  }

  private Route neighbourhood(String text) {
    return withKey(text, key -> onComplete(Neighbourhood.of(kck, json, key), result -> result.isSuccess()
        ? complete(entries.ok(result.get()))
        : complete(problems.response(result.failed().get(), text))));
  }

  private Route live(String after, Optional<String> limitText) {
    int limit;
    try {
      limit = limitText.map(Integer::parseInt).orElse(LiveKeys.LIMIT);
    } catch (NumberFormatException e) {
      limit = 0;
    }
    if (limit < 1 || limit > LiveKeys.LIMIT || after.length() > LiveKeys.MAX_CURSOR) {
      return complete(Problems.response(ErrorCode.BAD_REQUEST, "A page of live keys takes limit=1.." + LiveKeys.LIMIT
          + " and after=<a key text of at most " + LiveKeys.MAX_CURSOR + " characters>", null));
    }
    return onComplete(LiveKeys.of(kck, after, limit), result -> result.isSuccess()
        ? complete(entries.ok(result.get()))
        : complete(problems.response(result.failed().get(), null)));
  }

  private Route warmKeys() {
    return onComplete(kck.warmKeys(), result -> {
      if (!result.isSuccess()) {
        return complete(problems.response(result.failed().get(), null));
      }
      ArrayNode keys = json.createArrayNode();
      result.get().stream().sorted().forEach(keys::add);
      return complete(entries.ok(keys));
    });
  }

  /** The request body, at most kck.http.max-body bytes (413 TOO_LARGE past it). */
  private Route body(Function<byte[], Route> inner) {
    return withSizeLimit(settings.maxBody(), () -> entity(Unmarshaller.entityToByteArray(), inner::apply));
  }

  /** The key named by {@code text}, or the BAD_KEY / UNKNOWN_PRIMER answer. */
  private Route withKey(String text, Function<Key<?>, Route> inner) {
    Key<?> key;
    try {
      key = kck.key(text);
    } catch (KckException e) {
      return complete(problems.response(e, text));
    }
    return inner.apply(key);
  }

  private Route done(String text, Function<Key<?>, CompletionStage<Void>> action, StatusCode status) {
    return withKey(text, key -> onComplete(action.apply(key), result -> result.isSuccess()
        ? complete(HttpResponse.create().withStatus(status))
        : complete(problems.response(result.failed().get(), text))));
  }

  private Route entry(String text, CompletionStage<? extends Entry<?>> stage) {
    return onComplete(stage, result -> result.isSuccess()
        ? complete(entries.response(result.get()))
        : complete(problems.response(result.failed().get(), text)));
  }

  private JsonNode primers() {
    ArrayNode list = json.createArrayNode();
    for (Primer<?> primer : kck.primers()) {
      ObjectNode node = list.addObject().put("name", primer.name()).put("valueType", simpleName(primer.valueType()));
      ArrayNode parameters = node.putArray("parameters");
      for (Parameter<?> parameter : primer.parameters()) {
        parameters.addObject().put("name", parameter.name()).put("type", parameter.type().getSimpleName());
      }
      node.put("freshness", freshness(primer).toString());
      node.put("augment", primer.augment().isPresent());
      RefreshSchedule schedule = refreshSchedule(primer);
      if (schedule != null) {
        ObjectNode shown = node.putObject("refreshSchedule").put("cron", schedule.expression())
            .put("zone", schedule.zone().getId())
            .put("missedTicks", schedule.missedTicks().map(policy -> policy.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .orElse(kck.system().settings().config().getString("kck.schedules.missed-ticks")));
        schedule.nextTickAfter(Instant.now()).ifPresent(next -> shown.put("nextTick", next.toString()));
      }
    }
    return list;
  }

  /**
   * The schedule {@code primer}'s warm keys are refreshed on: {@code kck.primers."<name>".refresh-schedule}
   * when set (valid, or {@code Kck.start} had failed), else the primer's own; null when none.
   */
  private RefreshSchedule refreshSchedule(Primer<?> primer) {
    String path = "kck.primers.\"" + primer.name() + "\".refresh-schedule";
    Config config = kck.system().settings().config();
    return config.hasPath(path) ? ScheduleConfig.fromConfig(path, config.getConfig(path))
        : primer.refreshSchedule().orElse(null);
  }

  /** The freshness {@code primer}'s keys run with; its text names the policy as HOCON does, e.g. {@code never-expires}. */
  private Freshness freshness(Primer<?> primer) {
    return KeyReads.freshness(kck.system().settings().config(), primer);
  }

  /** A value type without its package: the API tells what a value is, not where the code lives. */
  private static String simpleName(Type type) {
    return type.getTypeName().replaceAll("(?:[a-zA-Z_$][\\w$]*\\.)+([A-Z][\\w$]*)", "$1");
  }

  /** Errors thrown inside routes: JSON, with the size limit as 413 and anything else as 500 with an id. */
  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> complete(Problems.response(
            ErrorCode.TOO_LARGE, "The body is larger than the service accepts (" + settings.maxBody() + " bytes)", null)))
        .matchAny(e -> complete(problems.response(e, null)))
        .build();
  }

  /** Akka's own answers to requests no route took (404, 405, 415, a body too large): as JSON. */
  private static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      if (response.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)
          || !(response.entity() instanceof HttpEntity.Strict strict)) {
        return response;
      }
      ErrorCode code = ErrorCode.ofStatus(response.status().intValue());
      return Problems.response(code, Problems.fromAkka(code, strict.getData().utf8String()), null)
          .withStatus(response.status())
          .addHeaders(response.getHeaders());
    });
  }

  @SuppressWarnings("unchecked")
  private static Key<Object> objectKey(Key<?> key) {
    return (Key<Object>) key;
  }
}
