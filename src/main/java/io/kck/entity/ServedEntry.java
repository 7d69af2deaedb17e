package io.kck.entity;

import io.kck.primer.Primer;
import java.util.function.BiFunction;

/**
 * An entry this node may answer a get from without asking the key's actor: its own read tier's
 * copy of a fresh value, or its near cache's copy of another node's key. Immutable apart from the
 * answers made of it, each made once on the first hit and shared by every hit after, so that a hit
 * allocates nothing. Thread-safe.
 */
public interface ServedEntry {

  /** The primer of the entry's key. */
  Primer<?> primer();

  /** The entry as the key's actor published it. */
  EntryData data();

  /** The value answer of this entry, made by {@code make} on the first call and shared after. */
  <T> T valueAnswer(BiFunction<Primer<?>, EntryData, T> make);

  /** The entry answer of this entry, made by {@code make} on the first call and shared after. */
  <T> T entryAnswer(BiFunction<Primer<?>, EntryData, T> make);
}
