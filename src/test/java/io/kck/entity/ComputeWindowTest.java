package io.kck.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.entity.ComputeWindow.Held;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a value holds of a source transaction, from the snapshots taken around its compute: the
 * visibility rules of PostgreSQL's {@code pg_visible_in_snapshot}, ids widened across epochs, and a
 * long list of running transactions treated as unknown.
 */
class ComputeWindowTest {

  @Test
  void aTransactionCommittedBeforeTheComputeIsHeldAfterItIsNotAndBetweenIsUnsure() {
    TxnSnapshot before = TxnSnapshot.parse("100:105:100,103");
    TxnSnapshot after = TxnSnapshot.parse("103:110:103,108");
    ComputeWindow window = new ComputeWindow(before, after);
    assertEquals(Held.YES, window.holds(99), "ended before xmin");
    assertEquals(Held.YES, window.holds(101), "between xmin and xmax, not running");
    assertEquals(Held.UNSURE, window.holds(100), "running before, ended by the end");
    assertEquals(Held.NO, window.holds(103), "still running after the compute");
    assertEquals(Held.NO, window.holds(108));
    assertEquals(Held.NO, window.holds(110), "not begun by the end");
    assertEquals(Held.UNSURE, window.holds(105), "begun after the start, ended before the end");
    assertEquals(Held.UNSURE, window.holds(0), "an unknown transaction");
  }

  @Test
  void a32BitIdIsWidenedIntoTheEpochNearestTheSnapshot() {
    long epoch = 1L << 32;
    TxnSnapshot snapshot = new TxnSnapshot(epoch + 5, epoch + 10, List.of());
    assertEquals(epoch + 7, snapshot.widen(7));
    assertEquals(epoch - 16, snapshot.widen(0xFFFF_FFF0L), "just before the wrap: the previous epoch");
    ComputeWindow window = new ComputeWindow(snapshot, new TxnSnapshot(epoch + 20, epoch + 20, List.of()));
    assertEquals(Held.YES, window.holds(0xFFFF_FFF0L));
    assertEquals(Held.NO, window.holds(30));
  }

  @Test
  void tooManyRunningTransactionsAreNotKeptAndTheirRangeIsUnsure() {
    StringBuilder xip = new StringBuilder();
    for (int i = 0; i <= TxnSnapshot.MAX_RUNNING; i++) {
      xip.append(i == 0 ? "" : ",").append(200 + i);
    }
    TxnSnapshot crowded = TxnSnapshot.parse("200:300:" + xip);
    assertNull(crowded.running());
    ComputeWindow window = new ComputeWindow(crowded, crowded);
    assertEquals(Held.YES, window.holds(199));
    assertEquals(Held.UNSURE, window.holds(250), "may have been running: not sure either way");
    assertEquals(Held.NO, window.holds(300));
    assertEquals(List.of(), TxnSnapshot.parse("5:5:").running());
  }

  @Test
  void aMissingSnapshotMakesItsSideUnsure() {
    TxnSnapshot snapshot = TxnSnapshot.parse("100:105:");
    assertEquals(Held.UNSURE, new ComputeWindow(null, snapshot).holds(99), "without the start, nothing is held");
    assertEquals(Held.NO, new ComputeWindow(null, snapshot).holds(105));
    assertEquals(Held.UNSURE, new ComputeWindow(snapshot, null).holds(105), "without the end, nothing is surely later");
    assertEquals(Held.YES, new ComputeWindow(snapshot, null).holds(99));
    assertEquals(Held.UNSURE, new ComputeWindow(null, null).holds(99));
  }

  @Test
  void textThatIsNoSnapshotFailsNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TxnSnapshot.parse("12:x:"));
    assertTrue(e.getMessage().contains("'12:x:'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TxnSnapshot.parse("12"));
  }
}
