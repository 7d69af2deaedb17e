package io.kck.http;

import akka.NotUsed;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Source;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.errors.KeyUnavailableException;
import io.kck.primer.Key;
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

  /**
   * The updates of {@code key}, as {@code Kck.updates} gives them, except for a version that
   * arrives after the client left and before its subscription is closed: dropped here, where
   * {@code Kck.updates} fails its finished queue once more, which throws into the key's subscriber
   * and logs a stack trace for every closed stream that sees one more version.
   */
  static Source<Entry<Object>, NotUsed> updates(Kck kck, Key<Object> key) {
    int buffer = 1024;
    return Source.<Entry<Object>>queue(buffer)
        .mapMaterializedValue(queue -> kck.subscribe(key, entry -> {
          if (queue.offer(entry) instanceof QueueOfferResult.Dropped$) {
            try {
              queue.fail(new KeyUnavailableException(key.text(),
                  "A stream of key '" + key + "' fell more than " + buffer + " versions behind", null));
            } catch (IllegalStateException alreadyEnded) {
              // the client left meanwhile: nothing to tell it
            }
          }
          // QueueClosed: the client left; its subscription is being closed.
        }))
        .watchTermination((subscription, done) -> {
          done.whenComplete((ignored, error) -> subscription.close());
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
