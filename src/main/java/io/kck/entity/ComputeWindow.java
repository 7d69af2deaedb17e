package io.kck.entity;

import io.kck.persistence.KckSerializable;

/**
 * When a value's compute ran, in the source database's terms: its snapshot just before the compute
 * started ({@code before}) and just after it ended ({@code after}). A transaction committed in
 * {@code before} is in the value (the compute's own reads came later and saw it); one not yet
 * committed in {@code after} is not (they all came earlier); one that committed in between may or
 * may not be. A side the database did not give (it was unreachable) is null: nothing is sure of it.
 * Immutable.
 *
 * @param before the snapshot taken before the compute started, or null
 * @param after the snapshot taken after it ended, or null
 */
public record ComputeWindow(TxnSnapshot before, TxnSnapshot after) implements KckSerializable {

  /** What a value holds of one committed transaction of a source table. */
  public enum Held {
    /** It committed before the compute began: the value holds it. */
    YES,
    /** It committed after the compute ended: the value does not hold it. */
    NO,
    /** It committed while the compute ran, or it cannot be told: the value may hold it. */
    UNSURE
  }

  /**
   * Whether the value holds the changes of transaction {@code xid} (32 bits, as the change stream
   * gives it; 0 when unknown, which is {@link Held#UNSURE}).
   */
  public Held holds(long xid) {
    TxnSnapshot reference = before != null ? before : after;
    if (xid == 0 || reference == null) {
      return Held.UNSURE;
    }
    long full = reference.widen(xid);
    if (before != null && before.ended(full)) {
      return Held.YES;
    }
    if (after != null && after.notEnded(full)) {
      return Held.NO;
    }
    return Held.UNSURE;
  }
}
