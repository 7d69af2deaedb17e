package io.kck.http;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.errors.KckException;
import io.kck.KeyResult;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * KCK's HTTP service (Akka HTTP): data products as JSON, their updates as server-sent events, and a
 * page that shows them. Opt-in: {@code kck.http.enabled = on} starts it with {@code Kck.start}
 * ({@link HttpExtension}), or call {@link #start(Kck)}. It uses KCK's public API only. Endpoints (keys are canonical key texts, e.g. {@code
 * register-sales/7/2026-11-02}):
 *
 * <ul>
 *   <li>{@code GET /api/keys/<key>}: the entry as JSON (value, version, computedAt, stale, ...),
 *       with {@code ETag: "<version>"}; {@code If-None-Match} with the current version answers 304.
 *   <li>{@code PUT /api/keys/<key>} with the value as JSON: put; answers the entry.
 *   <li>{@code DELETE /api/keys/<key>}: invalidate.
 *   <li>{@code POST /api/refresh/<key>}: refresh; answers the entry.
 *   <li>{@code POST /api/augment/<key>} with the delta as JSON, optional {@code If-Match:
 *       "<version>"}: augment; answers {@code {"key", "version"}}.
 *   <li>{@code POST /api/bulk} with a JSON array of keys: one result per key, in order.
 *   <li>{@code GET /api/updates/<key>}: server-sent events, one per version ({@code id} = version).
 *   <li>{@code GET /api/primers}, {@code GET /api/live}: the primers; the keys live on this node
 *       with their status and edges (what the page draws).
 *   <li>{@code GET /}: the page.
 * </ul>
 *
 * <p>Errors are JSON {@code {"code", "message", "key"}} with a stable code: 400 BAD_KEY /
 * INVALID_VALUE / BAD_REQUEST, 401 UNAUTHORIZED, 404 UNKNOWN_PRIMER / NOT_CACHED, 409
 * VERSION_CONFLICT / NOTHING_TO_AUGMENT, 500 COMPUTE_FAILED / DEPENDENCY_CYCLE, 503 UNAVAILABLE /
 * OVERLOADED, 504 COMPUTE_TIMEOUT. With {@code kck.http.write-token} set, PUT, DELETE and POST (but
 * bulk reads) need {@code Authorization: Bearer <token>}.
 */
public final class KckHttp extends AllDirectives {
  private final Kck kck;
  private final ObjectMapper json;
  private final String writeToken;

  private KckHttp(Kck kck, String writeToken) {
    this.kck = kck;
    this.writeToken = writeToken;
    this.json = JacksonObjectMapperProvider.get(kck.system()).getOrCreate("kck-values", Optional.empty());
  }

  /** Starts the service on {@code kck.http.interface} and {@code kck.http.port}. */
  public static CompletionStage<ServerBinding> start(Kck kck) {
    Config http = kck.system().settings().config().getConfig("kck.http");
    return start(kck, http.getString("interface"), http.getInt("port"));
  }

  /** Starts the service on {@code host}:{@code port} (port 0: any free port; see the binding). */
  public static CompletionStage<ServerBinding> start(Kck kck, String host, int port) {
    String token = kck.system().settings().config().getString("kck.http.write-token");
    ActorSystem<?> system = kck.system();
    // Unbound, and its open connections (event streams) closed, when the ActorSystem shuts down.
    return Http.get(system).newServerAt(host, port).bind(new KckHttp(kck, token).route())
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(3), system));
  }

  Route route() {
    return concat(
        pathSingleSlash(() -> get(() -> getFromResource("io/kck/http/page.html", ContentTypes.TEXT_HTML_UTF8))),
        pathPrefix("api", this::api));
  }

  private Route api() {
    return concat(
        path("primers", () -> get(() -> json(this::primers))),
        path("live", () -> get(this::live)),
        path("bulk", () -> post(() -> entity(Unmarshaller.entityToByteArray(), this::bulk))),
        pathPrefix("keys", () -> extractUnmatchedPath(rest -> keyRoute(keyOf(rest)))),
        pathPrefix("refresh", () -> extractUnmatchedPath(rest -> post(() -> writes(() -> refresh(keyOf(rest)))))),
        pathPrefix("augment", () -> extractUnmatchedPath(rest -> post(() -> writes(() -> augment(keyOf(rest)))))),
        pathPrefix("updates", () -> extractUnmatchedPath(rest -> get(() -> updates(keyOf(rest))))));
  }

  private Route live() {
    return onComplete(LiveKeys.of(kck), result -> result.isSuccess()
        ? complete(ok(result.get()))
        : complete(error(result.failed().get())));
  }

  private Route refresh(String key) {
    Key<?> parsed;
    try {
      parsed = kck.key(key);
    } catch (KckException e) {
      return complete(error(e));
    }
    return entry(kck.refreshEntry(parsed).thenApply(this::cast));
  }

  private Route augment(String key) {
    return optionalHeaderValueByName("If-Match", ifMatch ->
        entity(Unmarshaller.entityToByteArray(), body -> augment(key, ifMatch, body)));
  }

  private Route keyRoute(String key) {
    return concat(
        get(() -> optionalHeaderValueByName("If-None-Match", ifNoneMatch ->
            onComplete(kck.getEntry(key), result -> {
              if (!result.isSuccess()) {
                return complete(error(result.failed().get()));
              }
              Entry<Object> entry = result.get();
              if (ifNoneMatch.filter(tags -> matches(tags, entry.version())).isPresent()) {
                return complete(HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED)
                    .addHeader(RawHeader.create("ETag", etag(entry.version()))));
              }
              return complete(entryResponse(entry));
            }))),
        put(() -> writes(() -> entity(Unmarshaller.entityToByteArray(), body -> entry(putJson(key, body))))),
        delete(() -> writes(() -> onComplete(kck.invalidate(key), result -> result.isSuccess()
            ? complete(HttpResponse.create().withStatus(StatusCodes.NO_CONTENT))
            : complete(error(result.failed().get()))))));
  }

  private Route augment(String key, Optional<String> ifMatch, byte[] body) {
    Long expected = null;
    if (ifMatch.isPresent()) {
      String tag = ifMatch.get().trim().replace("\"", "");
      try {
        expected = Long.parseLong(tag);
      } catch (NumberFormatException e) {
        return complete(errorResponse(StatusCodes.BAD_REQUEST, "BAD_REQUEST",
            "If-Match must be a version ETag like \"3\", got " + ifMatch.get(), key));
      }
    }
    return onComplete(augmentJson(key, body, expected), result -> {
      if (!result.isSuccess()) {
        return complete(error(result.failed().get()));
      }
      ObjectNode node = json.createObjectNode().put("key", key).put("version", result.get());
      return complete(ok(node).addHeader(RawHeader.create("ETag", etag(result.get()))));
    });
  }

  private Route bulk(byte[] body) {
    List<String> keys = new ArrayList<>();
    try {
      JsonNode array = json.readTree(body);
      if (array == null || !array.isArray()) {
        throw new IOException("expected a JSON array of key texts");
      }
      array.forEach(node -> keys.add(node.asText()));
    } catch (IOException e) {
      return complete(errorResponse(StatusCodes.BAD_REQUEST, "BAD_REQUEST", "Bulk get: " + e.getMessage(), null));
    }
    // Keys that do not parse are answered in place; the others are got together.
    List<Key<?>> parsed = new ArrayList<>();
    List<KckException> invalid = new ArrayList<>();
    for (String text : keys) {
      try {
        parsed.add(kck.key(text));
        invalid.add(null);
      } catch (KckException e) {
        invalid.add(e);
      }
    }
    return onComplete(kck.<Object>getAll(parsed), result -> {
      ArrayNode results = json.createArrayNode();
      java.util.Iterator<KeyResult<Object>> got = result.get().iterator();
      for (int i = 0; i < keys.size(); i++) {
        if (invalid.get(i) != null) {
          results.add(errorNode(invalid.get(i)).put("key", keys.get(i)));
          continue;
        }
        KeyResult<Object> one = got.next();
        results.add(one.ok() ? entryNode(one.entry()) : errorNode(one.error()).put("key", one.key()));
      }
      return complete(ok(results));
    });
  }

  private Route updates(String key) {
    Key<?> parsed;
    try {
      parsed = kck.key(key);
    } catch (KckException e) {
      return complete(error(e));
    }
    Source<ServerSentEvent, NotUsed> events = kck.updates(parsed)
        .map(entry -> ServerSentEvent.create(write(entryNode(cast(entry))), "version", Long.toString(entry.version())))
        .keepAlive(Duration.ofSeconds(15), () -> (ServerSentEvent) ServerSentEvent.heartbeat());
    return completeOK(events, EventStreamMarshalling.toEventStream());
  }

  /** A put of a value sent as JSON of the primer's value type. */
  private CompletionStage<Entry<Object>> putJson(String text, byte[] body) {
    Key<Object> key;
    Object value;
    try {
      key = objectKey(text);
      value = read(key, body, key.primer().valueType(), "put into");
    } catch (KckException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    return kck.put(key, value);
  }

  /** An augment with a delta sent as JSON of the primer's delta type; {@code expected} may be null. */
  private CompletionStage<Long> augmentJson(String text, byte[] body, Long expected) {
    Key<Object> key;
    Object delta;
    try {
      key = objectKey(text);
      java.lang.reflect.Type deltaType = key.primer().augment()
          .<java.lang.reflect.Type>map(augment -> augment.deltaType()).orElse(null);
      if (deltaType == null) {
        return kck.augment(key, new Object()); // refused by KCK as any augment of such a primer is
      }
      delta = read(key, body, deltaType, "augment");
    } catch (KckException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    return expected == null ? kck.augment(key, delta) : kck.augment(key, delta, expected);
  }

  @SuppressWarnings("unchecked")
  private Key<Object> objectKey(String text) {
    return (Key<Object>) kck.key(text);
  }

  private Object read(Key<?> key, byte[] body, java.lang.reflect.Type type, String what) {
    try {
      return json.readValue(body, json.getTypeFactory().constructType(type));
    } catch (IOException | RuntimeException e) {
      throw new io.kck.errors.InvalidValueException(key.text(),
          "Cannot " + what + " key '" + key + "': the JSON is not a " + type.getTypeName() + ": " + e.getMessage(), e);
    }
  }

  /** Writes need the bearer token when one is configured. */
  private Route writes(Supplier<Route> inner) {
    if (writeToken.isEmpty()) {
      return inner.get();
    }
    return optionalHeaderValueByName("Authorization", header ->
        header.filter(value -> value.equals("Bearer " + writeToken)).isPresent()
            ? inner.get()
            : complete(errorResponse(StatusCodes.UNAUTHORIZED, "UNAUTHORIZED",
                "Writes need 'Authorization: Bearer <kck.http.write-token>'", null)
                .addHeader(RawHeader.create("WWW-Authenticate", "Bearer"))));
  }

  private Route entry(CompletionStage<Entry<Object>> stage) {
    return onComplete(stage, result -> result.isSuccess()
        ? complete(entryResponse(result.get()))
        : complete(error(result.failed().get())));
  }

  private Route json(Supplier<JsonNode> body) {
    return complete(ok(body.get()));
  }

  private JsonNode primers() {
    ArrayNode list = json.createArrayNode();
    for (Primer<?> primer : kck.primers()) {
      ObjectNode node = list.addObject().put("name", primer.name()).put("valueType", primer.valueType().getTypeName());
      ArrayNode parameters = node.putArray("parameters");
      for (Parameter<?> parameter : primer.parameters()) {
        parameters.addObject().put("name", parameter.name()).put("type", parameter.type().getSimpleName());
      }
      node.put("freshness", primer.freshness().toString());
      node.put("augment", primer.augment().isPresent());
    }
    return list;
  }

  private HttpResponse entryResponse(Entry<Object> entry) {
    HttpResponse response = ok(entryNode(entry)).addHeader(RawHeader.create("ETag", etag(entry.version())))
        .addHeader(RawHeader.create("X-KCK-Version", Long.toString(entry.version())));
    return entry.computedAt() == null ? response
        : response.addHeader(RawHeader.create("X-KCK-Computed-At", entry.computedAt().toString()));
  }

  private ObjectNode entryNode(Entry<Object> entry) {
    ObjectNode node = json.createObjectNode()
        .put("key", entry.key())
        .put("version", entry.version())
        .put("computedAt", entry.computedAt() == null ? null : entry.computedAt().toString())
        .put("stale", entry.stale())
        .put("refreshing", entry.refreshing())
        .put("lastError", entry.lastError())
        .put("nextAttemptAt", entry.nextAttemptAt() == null ? null : entry.nextAttemptAt().toString());
    node.set("value", json.valueToTree(entry.value()));
    return node;
  }

  private HttpResponse error(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    ErrorCode code = ErrorCode.of(cause);
    return errorResponse(code.status(), code.name(), cause.getMessage(),
        cause instanceof KckException kckException ? kckException.key() : null);
  }

  private ObjectNode errorNode(Throwable failure) {
    ErrorCode code = ErrorCode.of(failure);
    return json.createObjectNode().put("code", code.name()).put("message", failure.getMessage());
  }

  private HttpResponse errorResponse(StatusCode status, String code, String message, String key) {
    ObjectNode node = json.createObjectNode().put("code", code).put("message", message);
    if (key != null) {
      node.put("key", key);
    }
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, write(node).getBytes(
        java.nio.charset.StandardCharsets.UTF_8));
  }

  private HttpResponse ok(JsonNode body) {
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(ContentTypes.APPLICATION_JSON, write(body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private String write(JsonNode node) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (JsonGenerator generator = json.getFactory().createGenerator(out)) {
        json.writeTree(generator, node);
      }
      return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean matches(String ifNoneMatch, long version) {
    String tag = etag(version);
    for (String candidate : ifNoneMatch.split(",")) {
      String trimmed = candidate.trim();
      if (trimmed.equals("*") || trimmed.equals(tag) || trimmed.equals("W/" + tag)) {
        return true;
      }
    }
    return false;
  }

  private static String etag(long version) {
    return "\"" + version + "\"";
  }

  /** The key text after a prefix: the rest of the path, without its leading slash. */
  private static String keyOf(String unmatched) {
    return unmatched.startsWith("/") ? unmatched.substring(1) : unmatched;
  }

  @SuppressWarnings("unchecked")
  private Entry<Object> cast(Entry<?> entry) {
    return (Entry<Object>) entry;
  }
}
