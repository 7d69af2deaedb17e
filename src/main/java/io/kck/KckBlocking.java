package io.kck;

import io.kck.errors.KckException;
import io.kck.errors.KckTimeoutException;
import io.kck.errors.KeyUnavailableException;
import io.kck.primer.Key;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Kck}'s operations, blocking: each waits for its answer and returns it, or throws the
 * {@link KckException} the stage would have failed with (not wrapped). The semantics are those of
 * the method of the same name on {@link Kck}; see there. A call waits at most {@code
 * kck.request-timeout} (plus a second for the answer to arrive), then throws {@link
 * KckTimeoutException}. An interrupt while waiting throws {@link KeyUnavailableException} with the
 * thread's interrupt flag set again.
 *
 * <p>Thread-safe. Do not call it from an actor or from KCK's callbacks: it blocks the thread.
 */
public final class KckBlocking {
  private final Kck kck;
  private final Duration patience;

  KckBlocking(Kck kck, Duration requestTimeout) {
    this.kck = kck;
    this.patience = requestTimeout.plusSeconds(1);
  }

  /** See {@link Kck#get(Key)}. */
  public <V> V get(Key<V> key) {
    return await(kck.get(key), key);
  }

  /** See {@link Kck#get(String)}. */
  public Object get(String key) {
    return await(kck.get(key), key);
  }

  /** See {@link Kck#getEntry(Key)}. */
  public <V> Entry<V> getEntry(Key<V> key) {
    return await(kck.getEntry(key), key);
  }

  /** See {@link Kck#getEntry(String)}. */
  public Entry<Object> getEntry(String key) {
    return await(kck.getEntry(key), key);
  }

  /** See {@link Kck#getIfPresent(Key)}. */
  public <V> Optional<V> getIfPresent(Key<V> key) {
    return await(kck.getIfPresent(key), key);
  }

  /** See {@link Kck#getIfPresent(String)}. */
  public Optional<Object> getIfPresent(String key) {
    return await(kck.getIfPresent(key), key);
  }

  /** See {@link Kck#getAll(Collection)}: never throws for a key that failed, only reports it. */
  public <V> List<KeyResult<V>> getAll(Collection<? extends Key<? extends V>> keys) {
    return await(kck.getAll(keys), "(" + (keys == null ? 0 : keys.size()) + " keys)");
  }

  /** See {@link Kck#refresh(Key)}. */
  public <V> V refresh(Key<V> key) {
    return await(kck.refresh(key), key);
  }

  /** See {@link Kck#refresh(String)}. */
  public Object refresh(String key) {
    return await(kck.refresh(key), key);
  }

  /** See {@link Kck#refreshEntry(Key)}. */
  public <V> Entry<V> refreshEntry(Key<V> key) {
    return await(kck.refreshEntry(key), key);
  }

  /** See {@link Kck#refreshEntry(String)}. */
  public Entry<Object> refreshEntry(String key) {
    return await(kck.refreshEntry(key), key);
  }

  /** See {@link Kck#invalidate(Key)}. */
  public void invalidate(Key<?> key) {
    await(kck.invalidate(key), key);
  }

  /** See {@link Kck#invalidate(String)}. */
  public void invalidate(String key) {
    await(kck.invalidate(key), key);
  }

  /** See {@link Kck#put(Key, Object)}. */
  public <V> Entry<V> put(Key<V> key, V value) {
    return await(kck.put(key, value), key);
  }

  /** See {@link Kck#put(String, Object)}. */
  public Entry<Object> put(String key, Object value) {
    return await(kck.put(key, value), key);
  }

  /** See {@link Kck#put(Key, Object, long)}. */
  public <V> Entry<V> put(Key<V> key, V value, long expectedVersion) {
    return await(kck.put(key, value, expectedVersion), key);
  }

  /** See {@link Kck#put(String, Object, long)}. */
  public Entry<Object> put(String key, Object value, long expectedVersion) {
    return await(kck.put(key, value, expectedVersion), key);
  }

  /** See {@link Kck#augment(Key, Object)}; returns the new version. */
  public long augment(Key<?> key, Object delta) {
    return await(kck.augment(key, delta), key);
  }

  /** See {@link Kck#augment(String, Object)}; returns the new version. */
  public long augment(String key, Object delta) {
    return await(kck.augment(key, delta), key);
  }

  /** See {@link Kck#augment(Key, Object, long)}; returns the new version. */
  public long augment(Key<?> key, Object delta, long expectedVersion) {
    return await(kck.augment(key, delta, expectedVersion), key);
  }

  /** See {@link Kck#augment(String, Object, long)}; returns the new version. */
  public long augment(String key, Object delta, long expectedVersion) {
    return await(kck.augment(key, delta, expectedVersion), key);
  }

  /** See {@link Kck#keepWarm(Key)}. */
  public void keepWarm(Key<?> key) {
    await(kck.keepWarm(key), key);
  }

  /** See {@link Kck#keepWarm(String)}. */
  public void keepWarm(String key) {
    await(kck.keepWarm(key), key);
  }

  /** See {@link Kck#stopKeepingWarm(Key)}. */
  public void stopKeepingWarm(Key<?> key) {
    await(kck.stopKeepingWarm(key), key);
  }

  /** See {@link Kck#stopKeepingWarm(String)}. */
  public void stopKeepingWarm(String key) {
    await(kck.stopKeepingWarm(key), key);
  }

  private <T> T await(CompletionStage<T> stage, Object key) {
    String text = String.valueOf(key);
    try {
      return stage.toCompletableFuture().get(patience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw Kck.asKckException(text, e.getCause());
    } catch (TimeoutException e) {
      throw new KckTimeoutException(text, "No answer from key '" + text + "' within " + patience, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyUnavailableException(text, "Interrupted while waiting for key '" + text + "'", e);
    }
  }
}
