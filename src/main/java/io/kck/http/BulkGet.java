package io.kck.http;

import akka.NotUsed;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kck.Kck;
import io.kck.errors.KckException;
import io.kck.primer.Key;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /api/bulk}: many keys in one request, answered one result per distinct key, in the
 * order of their first mention. Bounded on every side: at most {@code kck.http.bulk.max-keys}
 * distinct keys (texts that name the same canonical key are one key), {@code parallelism} of them
 * read at once, each by its primer's read policy, and the answer streamed as the results come, so
 * it is never built whole in memory. A key that fails is its own error, in place.
 */
final class BulkGet {
  private final Kck kck;
  private final KeyReads reads;
  private final EntryJson entries;
  private final Problems problems;
  private final int parallelism;

  BulkGet(Kck kck, KeyReads reads, EntryJson entries, Problems problems, int parallelism) {
    this.kck = kck;
    this.reads = reads;
    this.entries = entries;
    this.problems = problems;
    this.parallelism = parallelism;
  }

  /** The streamed answer to the key texts of one request. */
  HttpResponse answer(List<String> texts, boolean anonymous) {
    Map<String, Object> distinct = new LinkedHashMap<>(); // canonical key (or bad text) -> Key or its error
    for (String text : texts) {
      try {
        Key<?> key = kck.key(text);
        distinct.putIfAbsent(key.text(), key);
      } catch (KckException e) {
        distinct.putIfAbsent("\u0000" + text, e);
      }
    }
    List<Map.Entry<String, Object>> items = new ArrayList<>(distinct.entrySet());
    Source<ByteString, NotUsed> results = Source.from(items)
        .mapAsync(parallelism, item -> one(item.getKey(), item.getValue(), anonymous).thenApply(ByteString::fromArray))
        .intersperse(ByteString.fromString("["), ByteString.fromString(","), ByteString.fromString("]"));
    Source<ByteString, NotUsed> body = items.isEmpty() ? Source.single(ByteString.fromString("[]")) : results;
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private CompletionStage<byte[]> one(String id, Object keyOrError, boolean anonymous) {
    if (keyOrError instanceof KckException invalid) {
      return CompletableFuture.completedFuture(Problems.write(problems.node(invalid, id.substring(1))));
    }
    Key<?> key = (Key<?>) keyOrError;
    return reads.entry(key, anonymous).handle((entry, error) -> {
      ObjectNode node = error == null ? entries.node(entry) : problems.node(error, key.text());
      return Problems.write(node);
    });
  }
}
