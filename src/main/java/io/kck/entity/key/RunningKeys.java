package io.kck.entity.key;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys whose actors run on this node now: added when a key's actor starts, removed when it
 * stops (not when it restarts after a journal failure). Read by requests that must not start an
 * actor of a key that has no value ({@code KckAdmin.inspect} of a key nobody wrote): a key that is
 * running, even before its first value is journaled, is asked; one that is not, and has no rows,
 * is answered without it. Thread-safe.
 */
public final class RunningKeys {
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  /** Whether the actor of {@code key} runs on this node now. */
  public boolean contains(String key) {
    return running.contains(key);
  }

  void started(String key) {
    running.add(key);
  }

  void stopped(String key) {
    running.remove(key);
  }
}
