package io.kck.entity.tier;

/**
 * The licence of the read-tier entries a shard's stopped keys left on this node: valid from when
 * the shard's sentinel starts here until it stops, which Akka makes happen before the shard can
 * start on another node (a hand-off stops every entity of the shard and waits for them). An entry
 * kept under a revoked guard is never served, so a key that moved is asked where it lives now.
 * Thread-safe.
 */
public final class ShardGuard {
  private volatile boolean revoked;

  boolean holds() {
    return !revoked;
  }

  void revoke() {
    revoked = true;
  }
}
