package io.kck.entity;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.pattern.AskTimeoutException;
import io.kck.errors.KckException;
import io.kck.errors.KckTimeoutException;
import io.kck.errors.KeyUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Asks key actors, wherever they live, and turns what comes back into an entry or a {@link
 * KckException}: written once, for the facade, the reads of computes, and the admin view. A reply
 * {@link KeyReply.Failed} becomes the exception of its kind; no answer within the timeout becomes a
 * {@link KckTimeoutException}; a request that cannot be delivered a {@link
 * KeyUnavailableException}. Thread-safe.
 */
public final class KeyClient {
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final akka.actor.CoordinatedShutdown shutdown;

  KeyClient(ClusterSharding sharding, Duration timeout, akka.actor.CoordinatedShutdown shutdown) {
    this.sharding = sharding;
    this.timeout = timeout;
    this.shutdown = shutdown;
  }

  /**
   * Sends the request {@code request} makes for {@code key}; the stage completes, on the thread
   * that delivers the answer, with the key's entry or fails with a {@link KckException}.
   */
  public CompletionStage<EntryData> ask(String key, Function<ActorRef<KeyReply>, KeyCommand.Request> request) {
    return askReply(key, request).thenApply(reply -> {
      if (reply instanceof KeyReply.Ok ok) {
        return ok.entry();
      }
      throw new CompletionException(failure(key, reply));
    });
  }

  /** What {@code key}'s actor is doing now. */
  public CompletionStage<KeyStatus> inspect(String key) {
    return askReply(key, KeyCommand.Inspect::new).thenApply(reply -> {
      if (reply instanceof KeyReply.Status status) {
        return status.status();
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

  /** How long an ask waits ({@code kck.request-timeout}). */
  public Duration timeout() {
    return timeout;
  }

  EntityRef<KeyCommand> ref(String key) {
    return sharding.entityRefFor(KeyEntity.TYPE_KEY, key);
  }

  /** Whether this node has begun to shut down: its keys are handed off and answer nothing more. */
  boolean shuttingDown() {
    return shutdown.getShutdownReason().isPresent();
  }

  private CompletionStage<KeyReply> askReply(String key, Function<ActorRef<KeyReply>, KeyCommand.Request> request) {
    CompletableFuture<KeyReply> result = new CompletableFuture<>();
    if (shuttingDown()) {
      // A request now would wait in the shard region for a home that no longer comes.
      result.completeExceptionally(new KeyUnavailableException(key,
          "Key '" + key + "' cannot be asked: this node is shutting down; ask another node, or again later", null));
      return result;
    }
    // Akka's Java ask hands back a stage whose plain callbacks run on the JDK common pool (a new
    // thread per callback on small machines); the direct executor keeps this one on the thread
    // that delivers the reply.
    ref(key).<KeyReply>ask(request::apply, timeout).whenCompleteAsync((reply, error) -> {
      if (error != null) {
        result.completeExceptionally(translate(key, error));
      } else {
        result.complete(reply);
      }
    }, Runnable::run);
    return result;
  }

  private static KckException failure(String key, KeyReply reply) {
    if (reply instanceof KeyReply.Failed failed) {
      return failed.problem().toException(key);
    }
    return new KeyUnavailableException(key, "Key '" + key + "' answered with an unexpected " + reply, null);
  }

  /** An ask that got no reply. */
  private KckException translate(String key, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof AskTimeoutException) {
      return new KckTimeoutException(key, "No answer from key '" + key + "' within " + timeout + " (kck.request-timeout)", cause);
    }
    return new KeyUnavailableException(key, "Request to key '" + key + "' failed: " + cause, cause);
  }
}
