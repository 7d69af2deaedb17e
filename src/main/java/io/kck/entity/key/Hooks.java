package io.kck.entity.key;

import io.kck.primer.HookEvent;
import io.kck.primer.KeyHook;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The hooks registered on this node, by primer name. Thread-safe. */
public final class Hooks {
  private static final Logger log = LoggerFactory.getLogger(Hooks.class);

  private final Map<String, List<KeyHook>> byPrimer = new ConcurrentHashMap<>();

  /** Adds {@code hook} for the keys of {@code primer}; returns what removes it. */
  public Runnable add(String primer, KeyHook hook) {
    byPrimer.computeIfAbsent(primer, name -> new CopyOnWriteArrayList<>()).add(hook);
    return () -> byPrimer.getOrDefault(primer, List.of()).remove(hook);
  }

  boolean any(String primer) {
    List<KeyHook> hooks = byPrimer.get(primer);
    return hooks != null && !hooks.isEmpty();
  }

  /**
   * Calls every hook of {@code primer} with {@code event}; returns the description of the last
   * failure, or null when none threw.
   */
  String fire(String primer, HookEvent event) {
    List<KeyHook> hooks = byPrimer.get(primer);
    if (hooks == null || hooks.isEmpty()) {
      return null;
    }
    String failure = null;
    for (KeyHook hook : hooks) {
      try {
        hook.on(event);
      } catch (Throwable t) {
        if (t instanceof VirtualMachineError error) {
          throw error;
        }
        failure = "hook " + hook + " threw on " + event.action() + " " + event.phase() + ": " + t;
        log.warn("A hook of key '{}' threw on {} {}; the key carries on", event.key(), event.action(), event.phase(), t);
      }
    }
    return failure;
  }
}
