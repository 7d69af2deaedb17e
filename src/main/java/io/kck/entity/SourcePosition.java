package io.kck.entity;

import io.kck.persistence.KckSerializable;

/**
 * Where a change of a source table stands in PostgreSQL's change stream: the commit position (LSN)
 * of its transaction, and its place among the changes of that transaction ({@code seq}). Positions
 * are ordered as the stream delivers changes (transactions in commit order), so a key that
 * recorded a position has applied every change of the stream up to it and skips those again
 * (a stream resumed from the replication slot after a crash delivers them a second time).
 *
 * @param lsn the commit LSN of the change's transaction
 * @param seq the change's place within its transaction, from 0
 */
public record SourcePosition(long lsn, long seq) implements KckSerializable, Comparable<SourcePosition> {

  @Override
  public int compareTo(SourcePosition other) {
    int byLsn = Long.compareUnsigned(lsn, other.lsn);
    return byLsn != 0 ? byLsn : Long.compare(seq, other.seq);
  }

  /** Whether a key that recorded {@code applied} (null: none) has already applied this change. */
  public boolean appliedBy(SourcePosition applied) {
    return applied != null && compareTo(applied) <= 0;
  }

  /** The later of two positions, either may be null. */
  public static SourcePosition later(SourcePosition a, SourcePosition b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) >= 0 ? a : b;
  }

  @Override
  public String toString() {
    return String.format("%X/%X#%d", lsn >>> 32, lsn & 0xFFFFFFFFL, seq);
  }
}
