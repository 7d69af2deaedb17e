package io.kck.entity.node;

import akka.actor.typed.ActorRef;
import io.kck.entity.EntryData;
import io.kck.entity.KeyClient;
import io.kck.entity.KeyCommand;
import io.kck.entity.ValueExpiry;
import io.kck.entity.KeyReply;
import io.kck.entity.ServedEntry;
import io.kck.entity.tier.LocalEntry;
import io.kck.entity.tier.NearCache;
import io.kck.entity.tier.ReadTier;
import io.kck.entity.tier.TierLoader;
import io.kck.errors.NotCachedException;
import io.kck.persistence.StoredValue;
import io.kck.primer.Key;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How the facade's requests reach keys from this node, in the order that costs least: the read
 * tier's entry of a key of this node, the near cache's copy of another node's key, the journal in
 * bulk for a stopped key of a shard that runs here, and only then the key's actor. Writes pass the
 * near cache first (its copy goes before the write is sent, so this node reads its own writes).
 * Thread-safe; every method returns at once.
 */
final class KeyRequests {
  private final ReadTier tier;
  private final NearCache near;
  private final TierLoader loader;
  private final KeyClient keys;
  private final Clock clock;
  private final Function<Key<?>, EntryData> heldWhileDatabaseIsDown;
  private final Function<Key<?>, CompletionStage<Boolean>> mayHaveValue;
  private final SharedGets shared;
  private final Predicate<Key<?>> sharesGets; // not always-fresh keys: each of their gets waits for a compute of its own

  KeyRequests(ReadTier tier, NearCache near, TierLoader loader, KeyClient keys, Clock clock,
      Function<Key<?>, EntryData> heldWhileDatabaseIsDown, Function<Key<?>, CompletionStage<Boolean>> mayHaveValue,
      Predicate<Key<?>> sharesGets) {
    this.sharesGets = sharesGets;
    this.mayHaveValue = mayHaveValue;
    this.tier = tier;
    this.near = near;
    this.loader = loader;
    this.keys = keys;
    this.clock = clock;
    this.heldWhileDatabaseIsDown = heldWhileDatabaseIsDown;
    this.shared = new SharedGets(keys.timeout());
  }

  /** A fresh entry of {@code key} this node may answer from at once, or null. */
  ServedEntry hit(Key<?> key) {
    LocalEntry local = tier.servable(key, clock);
    if (local == null) {
      local = near.servable(key);
    }
    return local != null && local.primer() == key.primer() ? local : null; // a key of this KCK's primer
  }

  /** The same by a key's canonical text (other spellings of it miss). */
  ServedEntry hit(String text) {
    LocalEntry local = tier.servable(text, clock);
    return local != null ? local : near.servable(text);
  }

  /**
   * A get that was no hit: from what this node holds while the database is unreachable (marked
   * stale), from the journal in bulk when the key's actor does not run here but its shard does,
   * else from the key's actor (and again from what this node holds if asking it failed). Concurrent
   * gets of one key share one request ({@link SharedGets}).
   */
  CompletionStage<EntryData> get(Key<?> key) {
    EntryData held = heldWhileDatabaseIsDown.apply(key);
    if (held != null) {
      return CompletableFuture.completedFuture(held);
    }
    if (!sharesGets.test(key)) {
      return loadedOr(key, () -> askToGet(key));
    }
    return shared.get(key.text(), () -> loadedOr(key, () -> askToGet(key)));
  }

  /** Gets sharing a request now (none once every get is answered). */
  int sharedGetsInFlight() {
    return shared.inFlight();
  }

  /**
   * The key's entry if it has a value, never computing; empty when it has none. A key that never
   * wrote to the journal is answered empty without starting its actor (see {@code KeyPresence}).
   */
  CompletionStage<Optional<EntryData>> getIfPresent(Key<?> key) {
    return loadedOr(key, () -> null).thenCompose(loaded -> loaded != null
        ? CompletableFuture.completedFuture(Optional.of(loaded))
        : mayHaveValue.apply(key).thenCompose(written -> !written
            ? CompletableFuture.completedFuture(Optional.<EntryData>empty())
            : keys.ask(key.text(), replyTo -> new KeyCommand.Get(replyTo, false)).handle((data, error) -> {
              if (error == null) {
                return Optional.of(data);
              }
              Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
              if (cause instanceof NotCachedException) {
                return Optional.<EntryData>empty();
              }
              throw error instanceof CompletionException completion ? completion : new CompletionException(error);
            })));
  }

  CompletionStage<EntryData> refresh(Key<?> key) {
    return write(key, KeyCommand.Refresh::new);
  }

  CompletionStage<EntryData> invalidate(Key<?> key) {
    return write(key, KeyCommand.Invalidate::new);
  }

  CompletionStage<EntryData> put(Key<?> key, StoredValue value, ValueExpiry expiry, OptionalLong expectedVersion) {
    return write(key, replyTo -> new KeyCommand.Put(value, replyTo, expiry, expectedVersion));
  }

  CompletionStage<EntryData> augment(Key<?> key, StoredValue delta, OptionalLong expectedVersion) {
    return write(key, replyTo -> new KeyCommand.Augment(delta, expectedVersion, replyTo));
  }

  /** The entry the journal holds for {@code key}, loaded without starting its actor, or what {@code otherwise} answers. */
  private CompletionStage<EntryData> loadedOr(Key<?> key, Supplier<CompletionStage<EntryData>> otherwise) {
    CompletionStage<LocalEntry> loading = loader.load(key);
    if (loading == null) {
      return orElse(otherwise);
    }
    return loading.thenCompose(loaded -> loaded != null ? CompletableFuture.completedFuture(loaded.data()) : orElse(otherwise));
  }

  private static CompletionStage<EntryData> orElse(Supplier<CompletionStage<EntryData>> otherwise) {
    CompletionStage<EntryData> stage = otherwise.get();
    return stage != null ? stage : CompletableFuture.completedFuture(null);
  }

  private CompletionStage<EntryData> askToGet(Key<?> key) {
    CompletableFuture<EntryData> answer = new CompletableFuture<>();
    keys.ask(key.text(), KeyCommand.Get::new).whenComplete((data, error) -> {
      if (error == null) {
        near.answered(key, data);
        answer.complete(data);
        return;
      }
      EntryData held = heldWhileDatabaseIsDown.apply(key); // the key could not answer because the database is down
      if (held != null) {
        answer.complete(held);
      } else {
        answer.completeExceptionally(error);
      }
    });
    return answer;
  }

  private CompletionStage<EntryData> write(Key<?> key, Function<ActorRef<KeyReply>, KeyCommand.Request> request) {
    return keys.ask(key.text(), replyTo -> {
      near.writing(key);
      shared.detach(key.text());
      return request.apply(replyTo);
    }).thenApply(data -> {
      near.written(key, data);
      return data;
    });
  }
}
