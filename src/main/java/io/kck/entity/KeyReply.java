package io.kck.entity;

import io.kck.persistence.KckSerializable;

/** The answer of a key's actor to a {@link KeyCommand.Request}: exactly one per request. */
public sealed interface KeyReply extends KckSerializable {

  /** The request succeeded; the entry is the key's state after it. */
  record Ok(EntryData entry) implements KeyReply {}

  /**
   * An {@link Ok} whose value was too large for one message to another node: {@code entry} without
   * its value, and the value as a stream ({@link FrameSizedSerializer} writes an {@link Ok} so; {@link
   * KeyClient} pulls the value and answers the entry whole).
   */
  record Streamed(EntryData entry, StreamedValue value) implements KeyReply {}

  /** The request failed, and nothing was changed by it. */
  record Failed(Problem problem) implements KeyReply {}

  /**
   * The answer to {@link KeyCommand.Forget}: the key was forgotten, or why it was kept ({@code
   * keptBecause}, null when forgotten).
   */
  record Retention(boolean forgotten, String keptBecause) implements KeyReply {}

  /** The answer to {@link KeyCommand.Inspect}: what the key is doing now. */
  record Status(KeyStatus status) implements KeyReply {}
}
