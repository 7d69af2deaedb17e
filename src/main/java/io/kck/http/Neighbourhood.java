package io.kck.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kck.Kck;
import io.kck.KeyInfo;
import io.kck.errors.KckException;
import io.kck.primer.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A key with the keys it reads and the keys that read it, each with its status, version and age,
 * wherever in the cluster they live (asked through sharding): what the page draws when a key is
 * searched for. Inspecting starts no actor of a key that has no rows and no actor here ({@link
 * io.kck.KckAdmin#inspect}): a made-up key is answered {@code empty}, and creates nothing. At most
 * {@link #MAX_EACH_SIDE} on each side; each key asked for at most {@link LiveKeys#PER_KEY}, and one
 * that cannot answer in time (or whose primer this node does not know) is listed as {@code
 * unavailable}.
 */
final class Neighbourhood {
  static final int MAX_EACH_SIDE = 50;

  private Neighbourhood() {}

  static CompletionStage<ObjectNode> of(Kck kck, ObjectMapper json, Key<?> key) {
    return kck.admin().inspect(key, LiveKeys.PER_KEY).thenCompose(center -> {
      Set<String> around = new LinkedHashSet<>();
      center.inputs().keySet().stream().sorted().limit(MAX_EACH_SIDE).forEach(around::add);
      center.dependents().stream().sorted().limit(MAX_EACH_SIDE).forEach(around::add);
      List<String> names = new ArrayList<>(around);
      List<CompletableFuture<KeyInfo>> infos = names.stream().map(name -> around(kck, name)).toList();
      return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).handle((done, error) -> {
        ObjectNode body = json.createObjectNode();
        body.set("key", node(json, center));
        ArrayNode keys = body.putArray("around");
        for (int i = 0; i < names.size(); i++) {
          CompletableFuture<KeyInfo> info = infos.get(i);
          keys.add(info.isCompletedExceptionally()
              ? json.createObjectNode().put("key", names.get(i)).put("status", "unavailable")
              : node(json, info.join()));
        }
        body.put("truncated", center.inputs().size() > MAX_EACH_SIDE || center.dependents().size() > MAX_EACH_SIDE);
        return body;
      });
    });
  }

  /** A key around the centre, inspected; one of a primer this node does not know is unavailable. */
  private static CompletableFuture<KeyInfo> around(Kck kck, String name) {
    try {
      return kck.admin().inspect(kck.key(name), LiveKeys.PER_KEY).toCompletableFuture();
    } catch (KckException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static ObjectNode node(ObjectMapper json, KeyInfo info) {
    ObjectNode node = json.createObjectNode().put("key", info.key()).put("status", LiveKeys.label(info))
        .put("version", info.version());
    if (info.computedAt() != null) {
      node.put("ageSeconds", Duration.between(info.computedAt(), Instant.now()).toSeconds());
    }
    ArrayNode inputs = node.putArray("inputs");
    info.inputs().keySet().stream().sorted().limit(MAX_EACH_SIDE).forEach(inputs::add);
    ArrayNode dependents = node.putArray("dependents");
    info.dependents().stream().sorted().limit(MAX_EACH_SIDE).forEach(dependents::add);
    return node;
  }
}
