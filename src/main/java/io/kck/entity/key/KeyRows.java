package io.kck.entity.key;

import io.kck.persistence.JournalRows;
import java.util.concurrent.CompletionStage;

/**
 * What a key does with its rows besides journaling events: reads its primer's version floor
 * ({@link VersionFloor}), deletes its rows once forgotten ({@link Retention}), and has the rows
 * behind a new snapshot purged. On a node these are {@link JournalRows}' (plain SQL); the seam
 * lets a key run in tests on Akka's in-memory journal, without a database.
 */
interface KeyRows {
  /** See {@link JournalRows#versionFloor}. */
  CompletionStage<Long> versionFloor(String primer);

  /** See {@link JournalRows#delete}. */
  CompletionStage<Void> delete(String key, long toSequenceNr, String primer, long version);

  /** A snapshot of {@code persistenceId} was saved: the rows behind it may go ({@link io.kck.persistence.JournalPurge}). */
  void snapshotted(String persistenceId);

  /** The node's rows. */
  static KeyRows of(JournalRows rows) {
    return new KeyRows() {
      @Override
      public CompletionStage<Long> versionFloor(String primer) {
        return rows.versionFloor(primer);
      }

      @Override
      public CompletionStage<Void> delete(String key, long toSequenceNr, String primer, long version) {
        return rows.delete(key, toSequenceNr, primer, version);
      }

      @Override
      public void snapshotted(String persistenceId) {
        rows.purge().snapshotted(persistenceId);
      }
    };
  }
}
