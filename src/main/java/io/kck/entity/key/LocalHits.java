package io.kck.entity.key;

import io.kck.entity.EntryData;
import io.kck.entity.KeyState;
import io.kck.entity.metrics.Meters;
import io.kck.entity.tier.LocalEntry;
import io.kck.entity.tier.NearCache;
import io.kck.entity.tier.ReadTier;
import io.kck.entity.tier.ShardGuard;
import io.kck.entity.tier.ShardGuards;
import io.kck.entity.tier.TierLoader;
import io.kck.primer.Key;
import java.time.Instant;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Keeps this node's copy of a key's entry (the read tier, {@code kck.entity.local-hits}) equal to
 * what a get would answer at once: published while the value is fresh, nothing runs and nothing
 * failed; removed as soon as a get would have to wait, recompute, or learn of staleness. The key
 * calls {@link #publish} after every command and before every reply that follows a change, so a
 * get after an acknowledged put or invalidation never sees the old value.
 *
 * <p>When the actor stops, a servable entry stays under its shard's {@link ShardGuard}; the next
 * incarnation of the key takes it over as its own, so the first change it makes replaces or
 * removes it. For a near-cached primer it also tells every node's {@link NearCache} of each change
 * before the key answers what follows it. Used by the key's actor only.
 */
final class LocalHits {
  private final Key<?> owner;
  private final Meters.PrimerMeters meters;
  private final String key;
  private final boolean enabled;
  private final ReadTier entries;
  private final TierLoader loader;
  private final Attempts attempts;
  private final FreshnessClock freshness;
  private final Replies replies;
  private final Dependencies dependencies;
  private final ShardGuards guards;
  private final String shard;
  private final ToLongFunction<KeyState> keepUntil;
  private final NearCache near; // null unless the primer's keys are near-cached
  private long toldFloor = -1; // the least version other nodes' copies were last told may answer
  private LocalEntry published;
  private KeyState publishedFor;
  private Instant publishedNext;
  private final Map<String, EntryData> lastValues;
  private KeyState heldFor;

  LocalHits(Key<?> key, KeyRuntime runtime, Attempts attempts, FreshnessClock freshness, Replies replies,
      Dependencies dependencies, ToLongFunction<KeyState> keepUntil) {
    this.meters = runtime.meters(key.primer());
    this.keepUntil = keepUntil;
    this.guards = runtime.guards();
    this.shard = guards.shardOf(key.text());
    this.enabled = runtime.settings().localHits();
    this.entries = runtime.tier();
    this.loader = runtime.loader();
    if (enabled) {
      guards.ensure(shard); // so that what this incarnation keeps when it stops has a guard
      // No load from the journal puts an entry from now on; what one put before, or an earlier
      // incarnation kept, is this one's to replace or remove.
      loader.actorStarted(key.text());
      this.published = entries.get(key.text());
    }
    this.near = runtime.near().on(key.primer()) ? runtime.near() : null;
    if (near != null) {
      near.owned(key.text());
    }
    this.lastValues = runtime.lastValues();
    this.owner = key;
    this.key = key.text();
    this.attempts = attempts;
    this.freshness = freshness;
    this.replies = replies;
    this.dependencies = dependencies;
  }

  void publish(KeyState state) {
    hold(state);
    // Nor while a compute runs (its value comes soon), nor while an input has not confirmed it:
    // a get then answers it stale.
    boolean servable = replies.answersAtOnce(state) && attempts.running() == null && !dependencies.unverified();
    tellNearCaches(state, servable);
    if (!enabled) {
      return;
    }
    if (!servable) {
      reset();
    } else if (state != publishedFor || freshness.nextRefreshAt() != publishedNext || entries.get(key) != published) {
      // (the last: the tier evicted it)
      LocalEntry entry = new LocalEntry(owner.primer(), replies.entry(state, false).entry(), meters,
          freshness.freshUntilMillis(state));
      entries.put(key, entry);
      published = entry;
      publishedFor = state;
      publishedNext = freshness.nextRefreshAt();
    }
  }

  /**
   * Other nodes' copies of the value go once it changes or stops being fresh: they hear, before
   * the key answers anything that follows, which version is the least that may still answer. Not
   * on the first publication of an incarnation: nothing changed since the last one told them.
   */
  private void tellNearCaches(KeyState state, boolean servable) {
    if (near == null) {
      return;
    }
    long floor = servable ? state.version() : state.version() + 1;
    if (toldFloor >= 0 && floor > toldFloor) {
      near.changed(key, floor);
    }
    toldFloor = Math.max(toldFloor, floor);
  }

  /**
   * Keeps the key's last value in the node's map of held values, whether or not it is servable
   * now: while the database is unreachable, gets are answered from it.
   */
  private void hold(KeyState state) {
    if (state == heldFor) {
      return;
    }
    heldFor = state;
    if (state.hasValue()) {
      lastValues.put(key, replies.entry(state, false).entry());
    } else {
      lastValues.remove(key);
    }
  }

  /**
   * The key stops: a servable entry stays in the tier under the guard of the key's shard, if its
   * sentinel runs here (else it goes), and at the latest until {@code keepUntil} of its state. Its held value goes too, unless the key only restarts after
   * a journal failure (then it is what gets are answered from while the database is down; the
   * entry goes).
   */
  void stopped(boolean restarting) {
    ShardGuard guard = restarting || published == null || publishedFor == null ? null : guards.current(shard);
    if (guard != null) {
      entries.replace(key, published, published.keptUnder(guard, keepUntil.applyAsLong(publishedFor)));
      published = null;
      publishedFor = null;
      publishedNext = null;
    } else {
      reset();
    }
    heldFor = null;
    if (!restarting) {
      lastValues.remove(key);
      if (enabled) {
        loader.actorStopped(key);
      }
    }
  }

  /** Withdraws the published entry (the key stops, or is no longer servable without asking it). */
  void reset() {
    if (published != null) {
      entries.remove(key, published);
      published = null;
      publishedFor = null;
      publishedNext = null;
    }
  }
}
