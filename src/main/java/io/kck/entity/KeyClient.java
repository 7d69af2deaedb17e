package io.kck.entity;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.pattern.AskTimeoutException;
import akka.stream.Materializer;
import io.kck.errors.KckException;
import io.kck.errors.KckTimeoutException;
import io.kck.errors.KeyUnavailableException;
import io.kck.persistence.DatabaseHealth;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks key actors, wherever they live, and turns what comes back into an entry or a {@link
 * KckException}: written once, for the facade, the reads of computes, and the admin view. A reply
 * {@link KeyReply.Failed} becomes the exception of its kind; no answer within the timeout becomes a
 * {@link KckTimeoutException}; a request that cannot be delivered a {@link
 * KeyUnavailableException}. Thread-safe.
 */
public final class KeyClient {
  private static final Logger log = LoggerFactory.getLogger(KeyClient.class);
  private final Function<String, EntityRef<KeyCommand>> refs;
  private final BooleanSupplier shutdownBegun;
  private final Duration timeout;
  private final DatabaseHealth health;
  private final Duration failWithin;
  private final ScheduledExecutorService deadlines;
  private final long resendAfterNanos;
  // Asks not answered yet: when the database becomes unreachable, each gets a short deadline.
  private final Set<Pending> pending = ConcurrentHashMap.newKeySet();
  private volatile Materializer materializer;
  private volatile long maxValueBytes;

  /** {@code resendAfter}: {@code kck.request-resend-after}, zero when off (see {@link #resend}). */
  public KeyClient(ClusterSharding sharding, Duration timeout, CoordinatedShutdown shutdown,
      DatabaseHealth health, Duration failWithin, Duration resendAfter) {
    this(key -> sharding.entityRefFor(KeyNames.TYPE_KEY, key), () -> shutdown.getShutdownReason().isPresent(), timeout,
        health, failWithin, resendAfter);
  }

  /**
   * Lets this client take values streamed from other nodes ({@link KeyReply.Streamed}: a value too
   * large for one message) with {@code materializer}, up to {@code maxValueBytes} ({@code
   * kck.max-value-bytes}). Without it such an answer fails. Called once, while the node is wired.
   */
  public KeyClient takingStreamedValues(Materializer materializer, long maxValueBytes) {
    this.materializer = materializer;
    this.maxValueBytes = maxValueBytes;
    return this;
  }

  /**
   * A client that reaches each key through {@code refs} and shuts down when {@code shutdownBegun}
   * says so: the seam through which tests of a key's parts run without Cluster Sharding.
   */
  KeyClient(Function<String, EntityRef<KeyCommand>> refs, BooleanSupplier shutdownBegun,
      Duration timeout, DatabaseHealth health, Duration failWithin, Duration resendAfter) {
    this.refs = refs;
    this.shutdownBegun = shutdownBegun;
    this.timeout = timeout;
    this.health = health;
    this.failWithin = failWithin;
    this.deadlines = Executors.newSingleThreadScheduledExecutor(work -> {
      Thread thread = new Thread(work, "kck-request-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    health.onDown(() -> pending.forEach(this::deadline));
    this.resendAfterNanos = resendAfter.toNanos();
    if (resendAfterNanos > 0) {
      long every = Math.max(50, resendAfter.toMillis() / 2);
      deadlines.scheduleWithFixedDelay(this::resend, every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** An ask in flight: its key, what it asked, the stage its caller waits on, and when it was sent (last). */
  private record Pending(String key, KeyCommand.Request request, CompletableFuture<KeyReply> result, long sentAt,
      AtomicLong lastSent) {}

  /**
   * Sends each get or inspection that has had no answer for {@code kck.request-resend-after} since
   * it was last sent once more, with the same reply-to. A message can be lost on its way to a key's
   * actor (one that reaches an entity behind its stop message; a shard handed off in a rebalance
   * drops what reaches it meanwhile), and its caller would wait for the whole request timeout. A read
   * is idempotent: a get that arrives twice waits once for the compute ({@link Attempts}) and is
   * answered once; one answered on its way when it is sent again is answered twice, and the second
   * answer goes to dead letters. Writes are never sent twice.
   */
  private void resend() {
    long now = System.nanoTime();
    for (Pending ask : pending) {
      long last = ask.lastSent().get();
      boolean read = ask.request() instanceof KeyCommand.Get || ask.request() instanceof KeyCommand.Inspect;
      if (read && now - last >= resendAfterNanos && !ask.result().isDone() && !shuttingDown()
          && ask.lastSent().compareAndSet(last, now)) {
        try {
          ref(ask.key()).tell(ask.request());
        } catch (RuntimeException e) { // an exception out of a scheduled task would end every resend after it
          log.warn("Could not send the request for key '{}' again; its caller waits for its answer or timeout",
              ask.key(), e);
        }
      }
    }
  }

  /**
   * While the database is unreachable no ask waits longer than {@code
   * kck.database.health.fail-within} from when it was sent: a key in memory answers well within
   * it; one that must load or write cannot. A read then fails with {@link KeyUnavailableException}; a write with {@link
   * KckTimeoutException}, since it may still be stored once the database is back.
   */
  private void deadline(Pending ask) {
    long waitedNanos = System.nanoTime() - ask.sentAt();
    deadlines.schedule(() -> {
      if (!ask.result().isDone() && !health.available()) {
        boolean write = ask.request() instanceof KeyCommand.Put || ask.request() instanceof KeyCommand.Augment
            || ask.request() instanceof KeyCommand.Invalidate || ask.request() instanceof KeyCommand.Refresh;
        String why = "Key '" + ask.key() + "' did not answer within " + failWithin + " while KCK's database is"
            + " unreachable (since " + health.downSince() + ")";
        ask.result().completeExceptionally(write
            ? new KckTimeoutException(ask.key(), why + "; the request may or may not be stored once it is back", null)
            : new KeyUnavailableException(ask.key(), why + "; nothing was changed, retry once it is back", null));
      }
    }, Math.max(0, failWithin.toNanos() - waitedNanos), TimeUnit.NANOSECONDS);
  }

  /**
   * Sends the request {@code request} makes for {@code key}; the stage completes, on the thread
   * that delivers the answer, with the key's entry or fails with a {@link KckException}.
   */
  public CompletionStage<EntryData> ask(String key, Function<ActorRef<KeyReply>, KeyCommand.Request> request) {
    return askReply(key, request).thenCompose(reply -> {
      if (reply instanceof KeyReply.Ok ok) {
        return CompletableFuture.completedFuture(ok.entry());
      }
      if (reply instanceof KeyReply.Streamed streamed) {
        return pull(key, streamed.entry(), streamed.value());
      }
      throw new CompletionException(failure(key, reply));
    });
  }

  /**
   * {@code entry} (sent without its value) with its value {@code streamed} from another node, once
   * it has arrived; the stage fails with {@link KeyUnavailableException} naming the key when it
   * does not arrive. Completes on a thread of Akka's streams.
   */
  public CompletionStage<EntryData> pull(String key, EntryData entry, StreamedValue streamed) {
    Materializer streams = materializer;
    if (streams == null) {
      return CompletableFuture.failedFuture(new KeyUnavailableException(key,
          "Key '" + key + "' answered with a value streamed from another node, which this client does not take", null));
    }
    return streamed.receive(key, maxValueBytes, streams).handle((value, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        throw new CompletionException(new KeyUnavailableException(key, cause.getMessage(), cause));
      }
      return new EntryData(entry.key(), value, entry.version(), entry.computedAt(), entry.stale(), entry.refreshing(),
          entry.lastError(), entry.nextAttemptAt(), entry.lineage(), entry.freshUntil());
    });
  }

  /** What {@code key}'s actor is doing now, waiting at most {@code within}. */
  public CompletionStage<KeyStatus> inspect(String key, Duration within) {
    return askReply(key, KeyCommand.Inspect::new, within).thenApply(reply -> {
      if (reply instanceof KeyReply.Status status) {
        return status.status();
      }
      throw new CompletionException(failure(key, reply));
    });
  }

  /** Asks {@code key} to forget itself if nobody wants it: true when it did. */
  public CompletionStage<KeyReply.Retention> forget(String key) {
    return askReply(key, KeyCommand.Forget::new).thenApply(reply -> {
      if (reply instanceof KeyReply.Retention retention) {
        return retention;
      }
      throw new CompletionException(failure(key, reply));
    });
  }

  /**
   * Sends a one-way command to {@code key}'s actor; nothing once this node shuts down. A
   * notification sent then would wait in the shard region for a shard home that no longer comes,
   * and hold the node's shutdown up to the region's timeout; it is not needed either: a key that
   * starts checks its inputs, and an input that starts announces its recent versions again.
   */
  public void tell(String key, KeyCommand command) {
    if (!shuttingDown()) {
      ref(key).tell(command);
    }
  }

  /** Stops the thread that times out asks while the database is unreachable (the ActorSystem stopped). */
  public void close() {
    deadlines.shutdownNow();
  }

  /** How long an ask waits ({@code kck.request-timeout}). */
  public Duration timeout() {
    return timeout;
  }

  EntityRef<KeyCommand> ref(String key) {
    return refs.apply(key);
  }

  /** Whether this node has begun to shut down: its keys are handed off and answer nothing more. */
  public boolean shuttingDown() {
    return shutdownBegun.getAsBoolean();
  }

  private CompletionStage<KeyReply> askReply(String key, Function<ActorRef<KeyReply>, KeyCommand.Request> request) {
    return askReply(key, request, timeout);
  }

  private CompletionStage<KeyReply> askReply(String key, Function<ActorRef<KeyReply>, KeyCommand.Request> request,
      Duration timeout) {
    CompletableFuture<KeyReply> result = new CompletableFuture<>();
    if (shuttingDown()) {
      // A request now would wait in the shard region for a home that no longer comes.
      result.completeExceptionally(new KeyUnavailableException(key,
          "Key '" + key + "' cannot be asked: this node is shutting down; ask another node, or again later", null));
      return result;
    }
    KeyCommand.Request[] sent = new KeyCommand.Request[1];
    long sentAt = System.nanoTime();
    // Akka's Java ask hands back a stage whose plain callbacks run on the JDK common pool (a new
    // thread per callback on small machines); the direct executor keeps this one on the thread
    // that delivers the reply.
    ref(key).<KeyReply>ask(replyTo -> sent[0] = request.apply(replyTo), timeout).whenCompleteAsync((reply, error) -> {
      if (error != null) {
        result.completeExceptionally(translate(key, error, timeout));
      } else {
        result.complete(reply);
      }
    }, Runnable::run);
    if (!result.isDone() && sent[0] != null) {
      Pending ask = new Pending(key, sent[0], result, sentAt, new AtomicLong(sentAt));
      pending.add(ask);
      result.whenComplete((reply, error) -> pending.remove(ask));
      if (!health.available()) {
        deadline(ask);
      }
    }
    return result;
  }

  private static KckException failure(String key, KeyReply reply) {
    if (reply instanceof KeyReply.Failed failed) {
      return failed.problem().toException(key);
    }
    return new KeyUnavailableException(key, "Key '" + key + "' answered with an unexpected " + reply, null);
  }

  /** An ask that got no reply. */
  private static KckException translate(String key, Throwable error, Duration timeout) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof AskTimeoutException) {
      return new KckTimeoutException(key, "No answer from key '" + key + "' within " + timeout, cause);
    }
    return new KeyUnavailableException(key, "Request to key '" + key + "' failed: " + cause, cause);
  }
}
