package io.kck.primer;

/**
 * Observes what happens to a primer's keys, for audit, metrics or side effects: registered with
 * {@code Kck.addHook}, called with a {@link HookEvent} before and after each compute, put, refresh,
 * invalidation and augment.
 *
 * <p><b>Where it runs.</b> On the key's actor, on the node that owns the key, one event at a time
 * per key and in order: keep it short and non-blocking (hand slow work to an executor). In a
 * cluster, register the same hooks on every node.
 *
 * <p><b>Failures.</b> A hook that throws is logged (with the key and the event) and recorded as the
 * key's last hook failure ({@code kck.admin().inspect(key)}, {@code KeyInfo.hookFailure()}); the key and the other
 * hooks carry on as if it had returned.
 */
@FunctionalInterface
public interface KeyHook {
  /** Called with each event of the primer's keys on this node, in order per key. */
  void on(HookEvent event) throws Exception;
}
