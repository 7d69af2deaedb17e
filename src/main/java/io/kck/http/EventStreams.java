package io.kck.http;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open server-sent event streams, capped on this node ({@code kck.http.streams.max}) and per
 * client address ({@code max-per-client}): each stream holds a connection and keeps its key's
 * actor in memory for as long as it is open, so without a cap a client could take every
 * connection slot. The cap stays below {@code kck.http.max-connections}, leaving room for ordinary
 * requests.
 */
final class EventStreams {
  private final int max;
  private final int maxPerClient;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();

  EventStreams(int max, int maxPerClient) {
    this.max = max;
    this.maxPerClient = maxPerClient;
  }

  /**
   * A slot for a stream of {@code client}, or null when the node or the client has none left. The
   * slot is given back when the returned stream ends, however it ends.
   */
  <T> Source<T, NotUsed> open(String client, Source<T, NotUsed> stream) {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      return null;
    }
    AtomicInteger mine = perClient.computeIfAbsent(client, any -> new AtomicInteger());
    if (mine.incrementAndGet() > maxPerClient) {
      release(client, mine);
      return null;
    }
    return stream.watchTermination((notUsed, done) -> {
      done.whenComplete((ignored, error) -> release(client, mine));
      return NotUsed.getInstance();
    });
  }

  int open() {
    return open.get();
  }

  private void release(String client, AtomicInteger mine) {
    open.decrementAndGet();
    if (mine.decrementAndGet() <= 0) {
      perClient.remove(client, mine);
    }
  }
}
