package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import io.kck.entity.EntryData;
import io.kck.entity.KeyUpdate;
import io.kck.primer.HookEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Who watches one key besides its dependents: the application's listeners ({@link
 * KeyCommand.Watch}) and this node's hooks of its primer. Used by the key's actor only.
 */
final class Observers {
  private final String key;
  private final String primer;
  private final Hooks hooks;
  private final List<ActorRef<KeyUpdate>> listeners = new ArrayList<>();
  private final AtomicInteger watchingOnNode; // for the meters
  private String lastHookFailure;

  Observers(String key, String primer, Hooks hooks, AtomicInteger watchingOnNode) {
    this.key = key;
    this.watchingOnNode = watchingOnNode;
    this.primer = primer;
    this.hooks = hooks;
  }

  /** Adds a listener (once) and tells it the current entry, when there is one. */
  void watch(ActorRef<KeyUpdate> listener, EntryData current) {
    if (!listeners.contains(listener)) {
      listeners.add(listener);
      watchingOnNode.incrementAndGet();
    }
    if (current != null) {
      listener.tell(new KeyUpdate.Changed(current));
    }
  }

  void unwatch(ActorRef<KeyUpdate> listener) {
    if (listeners.remove(listener)) {
      watchingOnNode.decrementAndGet();
    }
  }

  /** A new version: every listener gets it ({@code entry} is only built when someone listens). */
  void changed(Supplier<EntryData> entry) {
    if (!listeners.isEmpty()) {
      KeyUpdate.Changed changed = new KeyUpdate.Changed(entry.get());
      listeners.forEach(listener -> listener.tell(changed));
    }
  }

  /** The key stops: listeners are told, so that they can watch its next incarnation. */
  void reset() {
    if (!listeners.isEmpty()) {
      KeyUpdate.Detached detached = new KeyUpdate.Detached(key);
      listeners.forEach(listener -> listener.tell(detached));
      watchingOnNode.addAndGet(-listeners.size());
      listeners.clear();
    }
  }

  /** Tells this node's hooks of the primer; a hook that throws is remembered, not propagated. */
  void hook(HookEvent.Action action, HookEvent.Phase phase, long version, Object delta, Throwable failure) {
    if (!hooks.any(primer)) {
      return;
    }
    String failed = hooks.fire(primer, new HookEvent(action, phase, key, version, delta, failure));
    if (failed != null) {
      lastHookFailure = failed;
    }
  }

  /** The last failure of a hook on this key since it started, or null. */
  String lastHookFailure() {
    return lastHookFailure;
  }
}
