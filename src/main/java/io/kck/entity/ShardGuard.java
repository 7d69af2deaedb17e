package io.kck.entity;

/**
 * The licence of the read-tier entries a shard's stopped keys left on this node: valid from when
 * the shard's sentinel starts here until it stops, which Akka makes happen before the shard can
 * start on another node (a hand-off stops every entity of the shard and waits for them). An entry
 * kept under a revoked guard is never served, so a key that moved is asked where it lives now.
 * Thread-safe.
 */
final class ShardGuard {
  private volatile boolean revoked;
  // The keys that kept an entry under it (some may have replaced it since): what a revocation
  // removes from the tier, without a scan of the whole tier per shard.
  private final java.util.Set<String> kept = java.util.concurrent.ConcurrentHashMap.newKeySet();

  boolean holds() {
    return !revoked;
  }

  void revoke() {
    revoked = true;
  }

  void kept(String key) {
    kept.add(key);
  }

  void forEachKept(java.util.function.Consumer<String> action) {
    kept.forEach(action);
  }
}
