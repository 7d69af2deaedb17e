package io.kck.entity;

import io.kck.persistence.KckSerializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Which transactions of the source database had committed at one moment: PostgreSQL's {@code
 * pg_current_snapshot()} (full, 64-bit transaction ids). Every transaction below {@code xmin} had
 * ended; none at or above {@code xmax} had; between them, those in {@code running} had not. Kept
 * small: when more than {@link #MAX_RUNNING} were running, the list is not kept ({@code running}
 * null) and every transaction between {@code xmin} and {@code xmax} counts as unknown. Immutable.
 *
 * @param xmin the oldest transaction still running
 * @param xmax one past the newest transaction that had ended
 * @param running the transactions between them still running, or null when there were too many to keep
 */
public record TxnSnapshot(long xmin, long xmax, List<Long> running) implements KckSerializable {

  /** The most running transactions a snapshot keeps; with more, the window between xmin and xmax is unknown. */
  public static final int MAX_RUNNING = 16;

  public TxnSnapshot {
    running = running == null ? null : List.copyOf(running);
  }

  /**
   * Reads the text form of {@code pg_snapshot} ({@code xmin:xmax:xip,xip,...}).
   *
   * @throws IllegalArgumentException when {@code text} is not of that form
   */
  public static TxnSnapshot parse(String text) {
    String[] parts = text == null ? new String[0] : text.split(":", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("Not a PostgreSQL snapshot (xmin:xmax:xip,...): '" + text + "'");
    }
    try {
      long xmin = Long.parseLong(parts[0]);
      long xmax = Long.parseLong(parts[1]);
      if (parts[2].isEmpty()) {
        return new TxnSnapshot(xmin, xmax, List.of());
      }
      String[] xip = parts[2].split(",");
      if (xip.length > MAX_RUNNING) {
        return new TxnSnapshot(xmin, xmax, null);
      }
      List<Long> running = new ArrayList<>(xip.length);
      for (String each : xip) {
        running.add(Long.parseLong(each));
      }
      return new TxnSnapshot(xmin, xmax, running);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Not a PostgreSQL snapshot (xmin:xmax:xip,...): '" + text + "'", e);
    }
  }

  /** Whether the transaction {@code fullXid} had surely committed (or aborted) when this snapshot was taken. */
  public boolean ended(long fullXid) {
    return fullXid < xmin || (running != null && fullXid < xmax && !running.contains(fullXid));
  }

  /** Whether the transaction {@code fullXid} had surely not ended when this snapshot was taken. */
  public boolean notEnded(long fullXid) {
    return fullXid >= xmax || (running != null && fullXid >= xmin && running.contains(fullXid));
  }

  /**
   * The full transaction id of the 32-bit {@code xid} (as the change stream carries it), taken in
   * the epoch that puts it nearest this snapshot's {@code xmax}, as PostgreSQL widens ids
   * ({@code FullXidRelativeTo}): valid while the two are less than 2^31 transactions apart.
   */
  public long widen(long xid) {
    return xmax + (int) ((int) xid - (int) xmax);
  }
}
