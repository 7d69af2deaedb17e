package io.kck.http;

import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kck.Kck;
import io.kck.KeyInfo;
import io.kck.primer.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The keys live on this node, each with its status and edges: what the page lists and draws. A
 * page at a time, in key order: at most {@code limit} ({@link #LIMIT} at most) keys after the
 * cursor {@code after}, with the cursor of the next page ({@code next}, null on the last) and how
 * many keys are live ({@code total}), so that the browser never gets more than a page whatever
 * the node holds. Each key is asked with a short timeout ({@link
 * #PER_KEY}): a key that is loading, or cannot load while the database is down, is listed as
 * "unavailable" instead of holding the whole view up, so the view answers within about a second.
 */
final class LiveKeys {
  static final int LIMIT = 300;
  /** The longest cursor accepted: a key's text (at most 240 characters), with room for percent-encoding. */
  static final int MAX_CURSOR = 1024;
  static final Duration PER_KEY = Duration.ofMillis(500);

  private LiveKeys() {}

  static CompletionStage<JsonNode> of(Kck kck, String after, int limit) {
    ObjectMapper json = JacksonObjectMapperProvider.get(kck.system()).getOrCreate("kck-values", Optional.empty());
    return kck.admin().liveKeys().thenCompose(ids -> {
      List<Key<?>> keys = new ArrayList<>();
      List<CompletableFuture<KeyInfo>> statuses = new ArrayList<>();
      String next = null;
      String last = after;
      for (String id : ids) { // sorted
        if (id.compareTo(after) <= 0) {
          continue;
        }
        if (statuses.size() == limit) {
          next = last;
          break;
        }
        last = id;
        try {
          Key<?> key = kck.key(id);
          keys.add(key);
          statuses.add(kck.admin().inspect(key, PER_KEY).toCompletableFuture());
        } catch (RuntimeException e) {
          // a key of a primer this node does not know: not shown
        }
      }
      String nextPage = next;
      return CompletableFuture.allOf(statuses.toArray(CompletableFuture[]::new)).handle((ignored, error) -> {
        ObjectNode body = json.createObjectNode();
        body.put("node", kck.system().address().toString());
        ArrayNode primers = body.putArray("primers");
        kck.primers().forEach(primer -> primers.add(primer.name()));
        ArrayNode listed = body.putArray("keys");
        for (int i = 0; i < statuses.size(); i++) {
          CompletableFuture<KeyInfo> future = statuses.get(i);
          if (future.isCompletedExceptionally()) {
            listed.addObject()
                .put("key", keys.get(i).text())
                .put("primer", keys.get(i).primer().name())
                .put("status", "unavailable")
                .putArray("inputs");
            continue;
          }
          KeyInfo status = future.join();
          ObjectNode node = listed.addObject()
              .put("key", status.key())
              .put("primer", kck.key(status.key()).primer().name())
              .put("status", label(status))
              .put("version", status.version());
          if (status.computedAt() != null) {
            node.put("ageSeconds", Duration.between(status.computedAt(), Instant.now()).toSeconds());
          }
          ArrayNode inputs = node.putArray("inputs");
          status.inputs().keySet().stream().sorted().forEach(inputs::add);
          ArrayNode dependents = node.putArray("dependents");
          status.dependents().stream().sorted().forEach(dependents::add);
        }
        body.put("total", ids.size());
        body.put("next", nextPage);
        return body;
      });
    });
  }

  /** fresh, stale, computing, failed, empty or invalidated. */
  static String label(KeyInfo status) {
    if (status.computing()) {
      return "computing";
    }
    if (status.retryAt() != null) {
      return "failed";
    }
    if (status.outdated()) {
      return "stale";
    }
    return switch (status.state()) {
      case READY -> "fresh";
      case EMPTY -> "empty";
      case INVALIDATED -> "invalidated";
    };
  }
}
