package io.kck.entity;

import io.kck.persistence.KckSerializable;

/** What a key tells the listeners registered with {@link KeyCommand.Watch}. */
public sealed interface KeyUpdate extends KckSerializable {

  /** The key's current value on watching, then each new version, in order. */
  record Changed(EntryData entry) implements KeyUpdate {}

  /**
   * A {@link Changed} whose value was too large for one message to another node: {@code entry}
   * without its value, and the value as a stream ({@link FrameSizedSerializer} writes a {@code
   * Changed} so; the subscriber pulls the value with {@link KeyClient#pull}).
   */
  record Streamed(EntryData entry, StreamedValue value) implements KeyUpdate {}

  /** The key's actor stopped (passivation, rebalance, shutdown): watch again to keep listening. */
  record Detached(String key) implements KeyUpdate {}
}
