package io.kck.persistence;

/**
 * A place in the event table, in the order of its primary key (persistence id, then sequence
 * number): where a walk over the journal's keys stands. A walk stops and resumes only between
 * keys, so a position of a walk is always "after every row of a key" ({@link #afterKey}).
 *
 * @param persistenceId the persistence id of the last key passed
 * @param sequenceNr the last sequence number passed ({@link Long#MAX_VALUE}: all of the key's rows)
 */
public record JournalPosition(String persistenceId, long sequenceNr) {

  public JournalPosition {
    if (persistenceId == null) {
      throw new IllegalArgumentException("A journal position needs a persistence id");
    }
  }

  /** After every row of the key of {@code persistenceId}. */
  public static JournalPosition afterKey(String persistenceId) {
    return new JournalPosition(persistenceId, Long.MAX_VALUE);
  }
}
