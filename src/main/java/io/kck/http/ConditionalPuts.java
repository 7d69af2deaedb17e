package io.kck.http;

import io.kck.Entry;
import io.kck.Kck;
import io.kck.KeyInfo;
import io.kck.primer.Key;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code PUT} with {@code If-Match}: the value is put only while the key is still at a version the
 * header names ({@code *}: any value), else 412 {@code VERSION_CONFLICT} and nothing is written.
 * The version is read from the key's actor ({@code KckAdmin.inspect}, which never computes), and
 * conditional puts of one key through this node run one after another, so two clients holding the
 * same ETag cannot both win here. The check and the put are two steps: a write that reaches the
 * key by another way between them (the Java API, another node's service) is not seen; KCK's Java
 * API has no conditional put to make them one.
 *
 * <p>Thread-safe.
 */
final class ConditionalPuts {
  private final Kck kck;
  /** The last conditional put of each key still running, which the next one waits for. */
  private final ConcurrentHashMap<String, CompletableFuture<Entry<Object>>> running = new ConcurrentHashMap<>();

  ConditionalPuts(Kck kck) {
    this.kck = kck;
  }

  CompletionStage<Entry<Object>> put(Key<Object> key, String ifMatch, Object value) {
    CompletableFuture<Entry<Object>> mine = running.compute(key.text(), (text, previous) -> {
      CompletableFuture<Void> turn = previous == null
          ? CompletableFuture.completedFuture(null) : previous.handle((entry, error) -> null);
      return turn.thenCompose(ready -> checkAndPut(key, ifMatch, value).toCompletableFuture());
    });
    mine.whenComplete((entry, error) -> running.remove(key.text(), mine));
    return mine;
  }

  private CompletionStage<Entry<Object>> checkAndPut(Key<Object> key, String ifMatch, Object value) {
    return kck.admin().inspect(key).thenCompose(info -> {
      boolean hasValue = info.state() == KeyInfo.State.READY;
      if (!hasValue || !EntryJson.matches(ifMatch, info.version())) {
        throw new Refused(ErrorCode.VERSION_CONFLICT, hasValue
            ? "The key is at version " + info.version() + ", not one named in If-Match; nothing was written"
            : "The key has no value, so If-Match names no version of it; nothing was written", key.text());
      }
      return kck.put(key, value);
    });
  }
}
