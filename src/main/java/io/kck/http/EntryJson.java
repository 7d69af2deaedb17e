package io.kck.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kck.Entry;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Entries as the API's JSON, with their ETag and version headers. */
final class EntryJson {
  private final ObjectMapper json;
  private final Problems problems;

  EntryJson(ObjectMapper json, Problems problems) {
    this.json = json;
    this.problems = problems;
  }

  HttpResponse response(Entry<?> entry) {
    HttpResponse response = ok(node(entry)).addHeader(RawHeader.create("ETag", etag(entry.version())))
        .addHeader(RawHeader.create("X-KCK-Version", Long.toString(entry.version())));
    return entry.computedAt() == null ? response
        : response.addHeader(RawHeader.create("X-KCK-Computed-At", entry.computedAt().toString()));
  }

  ObjectNode node(Entry<?> entry) {
    ObjectNode node = json.createObjectNode()
        .put("key", entry.key())
        .put("version", entry.version())
        .put("computedAt", entry.computedAt() == null ? null : entry.computedAt().toString())
        .put("stale", entry.stale())
        .put("refreshing", entry.refreshing())
        .put("lastError", problems.lastError(entry.lastError()))
        .put("nextAttemptAt", entry.nextAttemptAt() == null ? null : entry.nextAttemptAt().toString())
        .put("freshUntil", entry.freshUntil() == null ? null : entry.freshUntil().toString());
    node.set("value", json.valueToTree(entry.value()));
    return node;
  }

  HttpResponse ok(JsonNode body) {
    return HttpResponse.create().withStatus(StatusCodes.OK).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, bytes(body)));
  }

  byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  String text(JsonNode node) {
    return new String(bytes(node), StandardCharsets.UTF_8);
  }

  static String etag(long version) {
    return "\"" + version + "\"";
  }

  /** Whether an If-None-Match header names {@code version} (or {@code *}). */
  static boolean matches(String ifNoneMatch, long version) {
    String tag = etag(version);
    for (String candidate : ifNoneMatch.split(",")) {
      String trimmed = candidate.trim();
      if (trimmed.equals("*") || trimmed.equals(tag) || trimmed.equals("W/" + tag)) {
        return true;
      }
    }
    return false;
  }
}
