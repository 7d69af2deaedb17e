package io.kck.entity.tier;

import io.kck.entity.EntryData;
import io.kck.entity.ServedEntry;
import io.kck.entity.metrics.Meters;
import io.kck.entity.settings.PrimerSettings;
import io.kck.persistence.StoredValue;
import io.kck.primer.Primer;
import java.time.Clock;
import java.util.function.BiFunction;

/**
 * A fresh entry of a key in this node's read tier (local hits, {@code kck.entity.local-hits}),
 * written only by the key's actor, with the answers the facade made of it: each made on the first
 * hit and shared by every hit after, so that a hit allocates nothing.
 *
 * <p>While the actor lives the entry is its own ({@code guard} null) and it withdraws it before
 * anything changes. Once the actor has stopped, the entry stays under the {@link ShardGuard} of its
 * shard on this node, which the shard revokes when it leaves the node. Either way the entry is
 * servable only until its freshness deadline, because no timer of a stopped key runs. A new
 * publication replaces the whole object; nothing in it changes but the two answers, each set at
 * most a few times under a race, to equal values. Thread-safe.
 */
public final class LocalEntry implements ServedEntry {
  /** The deadline of an entry that stays fresh until its key changes it. */
  static final long NO_DEADLINE = PrimerSettings.NO_DEADLINE;

  // Not the key object: the entry names its key, and a kept entry would hold the key's parsed
  // parameters too (~100 bytes of issue 18's budget of 500 per idle key).
  private final Primer<?> primer;
  private final EntryData data;
  private final Meters.PrimerMeters meters; // the hit is counted here: no lookup of the primer's meters per hit
  private final long freshUntilMillis;
  private final ShardGuard guard;
  private volatile Object valueAnswer;
  private volatile Object entryAnswer;

  public LocalEntry(Primer<?> primer, EntryData data, Meters.PrimerMeters meters, long freshUntilMillis) {
    this(primer, data, meters, freshUntilMillis, null);
  }

  private LocalEntry(Primer<?> primer, EntryData data, Meters.PrimerMeters meters, long freshUntilMillis,
      ShardGuard guard) {
    this.primer = primer;
    this.data = data;
    this.meters = meters;
    this.freshUntilMillis = freshUntilMillis;
    this.guard = guard;
  }

  /**
   * The same entry, kept after its actor stopped for as long as {@code guard} holds and at the
   * latest until {@code untilMillis}; answers made so far carry over.
   */
  public LocalEntry keptUnder(ShardGuard guard, long untilMillis) {
    LocalEntry kept = new LocalEntry(primer, jsonOnly(data), meters, Math.min(freshUntilMillis, untilMillis), guard);
    kept.valueAnswer = valueAnswer;
    kept.entryAnswer = entryAnswer;
    return kept;
  }

  /**
   * An entry read from the journal without starting its key's actor ({@link TierLoader}): kept
   * under {@code guard} like a stopped key's, servable until {@code untilMillis}.
   */
  static LocalEntry loaded(Primer<?> primer, EntryData data, Meters.PrimerMeters meters, long untilMillis,
      ShardGuard guard) {
    return new LocalEntry(primer, data, meters, untilMillis, guard);
  }

  /**
   * {@code data} holding its value as JSON only, when the JSON is known: a kept entry may never be
   * read again, and the decoded object can be many times the size of its JSON. A hit decodes it
   * once (the answers made before carry over).
   */
  private static EntryData jsonOnly(EntryData data) {
    if (data.value() == null || data.value().encodedLength() < 0) {
      return data;
    }
    return new EntryData(data.key(), StoredValue.fromJson(data.value().json()), data.version(),
        data.computedAt(), data.stale(), data.refreshing(), data.lastError(), data.nextAttemptAt(), data.lineage(),
        data.freshUntil());
  }

  /** Whether a get may be answered from it now: its shard is still here, and it is not past its deadline. */
  boolean servable(Clock clock) {
    ShardGuard kept = guard;
    return (kept == null || kept.holds()) && (freshUntilMillis == NO_DEADLINE || clock.millis() < freshUntilMillis);
  }

  /** The same at {@code nowMillis}, read from the clock by the caller. */
  boolean servableAt(long nowMillis) {
    ShardGuard kept = guard;
    return (kept == null || kept.holds()) && nowMillis < freshUntilMillis;
  }

  /** The guard it is kept under after its actor stopped; null while the actor lives. */
  ShardGuard guard() {
    return guard;
  }

  /** How many bytes of heap it holds, roughly: what the read tier's max-weight counts. */
  int weight() {
    long valueBytes = data.value() == null ? 0 : Math.max(0, data.value().encodedLength());
    return (int) Math.min(Integer.MAX_VALUE, 256 + 2L * data.key().length() + valueBytes);
  }

  Meters.PrimerMeters meters() {
    return meters;
  }

  /** The primer of the key that published it. */
  @Override
  public Primer<?> primer() {
    return primer;
  }

  @Override
  public EntryData data() {
    return data;
  }

  /** The answer to a get of the value, made by {@code make} on first use. */
  @SuppressWarnings("unchecked")
  @Override
  public <T> T valueAnswer(BiFunction<Primer<?>, EntryData, T> make) {
    Object answer = valueAnswer;
    if (answer == null) {
      answer = make.apply(primer, data);
      valueAnswer = answer;
    }
    return (T) answer;
  }

  /** The answer to a get of the entry (value and metadata), made by {@code make} on first use. */
  @SuppressWarnings("unchecked")
  @Override
  public <T> T entryAnswer(BiFunction<Primer<?>, EntryData, T> make) {
    Object answer = entryAnswer;
    if (answer == null) {
      answer = make.apply(primer, data);
      entryAnswer = answer;
    }
    return (T) answer;
  }
}
