package io.kck.entity;

import io.kck.primer.Key;
import java.util.function.BiFunction;

/**
 * A fresh entry that a key live on this node published (local hits, {@code
 * kck.entity.local-hits}), with the answers the facade made of it: each made on the first hit and
 * shared by every hit after, so that a hit allocates nothing. A new publication replaces the
 * whole object; nothing in it changes but the two answers, each set at most a few times under a
 * race, to equal values. Thread-safe.
 */
public final class LocalEntry {
  private final Key<?> key;
  private final EntryData data;
  private final Meters.PrimerMeters meters; // the hit is counted here: no lookup of the primer's meters per hit
  private volatile Object valueAnswer;
  private volatile Object entryAnswer;

  LocalEntry(Key<?> key, EntryData data, Meters.PrimerMeters meters) {
    this.key = key;
    this.data = data;
    this.meters = meters;
  }

  Meters.PrimerMeters meters() {
    return meters;
  }

  /** The key that published it. */
  public Key<?> key() {
    return key;
  }

  public EntryData data() {
    return data;
  }

  /** The answer to a get of the value, made by {@code make} on first use. */
  @SuppressWarnings("unchecked")
  public <T> T valueAnswer(BiFunction<Key<?>, EntryData, T> make) {
    Object answer = valueAnswer;
    if (answer == null) {
      answer = make.apply(key, data);
      valueAnswer = answer;
    }
    return (T) answer;
  }

  /** The answer to a get of the entry (value and metadata), made by {@code make} on first use. */
  @SuppressWarnings("unchecked")
  public <T> T entryAnswer(BiFunction<Key<?>, EntryData, T> make) {
    Object answer = entryAnswer;
    if (answer == null) {
      answer = make.apply(key, data);
      entryAnswer = answer;
    }
    return (T) answer;
  }
}
