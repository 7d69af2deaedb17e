package io.kck.persistence;

import io.kck.errors.KeyUnavailableException;
import io.kck.errors.OverloadedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether a key has ever been written to the journal, asked of PostgreSQL without starting the
 * key's actor. A key that has a value has written it (every value is journaled before anybody
 * receives it), so a key with no row in the journal or the snapshot store has none: a
 * {@code getIfPresent} of it can answer "absent" at once, and a flood of reads of made-up keys
 * starts no actor and loads nothing.
 *
 * <p>Bounded: at most {@link #THREADS} queries run at once (each holds one of the journal's pooled
 * connections), {@link #QUEUE} more wait, and past that a check fails with {@link
 * OverloadedException}. Keys found written are remembered (the most recent {@link #REMEMBERED})
 * until the retention forgets them ({@link #forgotten}).
 */
public final class KeyPresence {
  static final int THREADS = 2;
  static final int QUEUE = 1000;
  static final int REMEMBERED = 10_000;

  private final ThreadPoolExecutor queries;
  private final JournalRows rows;
  private final String sql;
  private final String sqlWithFirstComputes; // null without sources
  private final Set<String> written = Collections.newSetFromMap(Collections.synchronizedMap(
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > REMEMBERED;
        }
      }));

  public KeyPresence(JournalRows rows) {
    this(rows, null);
  }

  /** {@code firstComputes}: where the keys of primers with sources are marked as their first compute starts; may be null. */
  public KeyPresence(JournalRows rows, FirstComputes firstComputes) {
    this.rows = rows;
    this.sql = "SELECT EXISTS (SELECT 1 FROM " + rows.events() + " WHERE persistence_id = ?)"
        + " OR EXISTS (SELECT 1 FROM " + rows.snapshots() + " WHERE persistence_id = ?)";
    this.sqlWithFirstComputes = firstComputes == null ? null : sql + ", EXISTS (SELECT 1 FROM "
        + firstComputes.table() + " WHERE persistence_id = ?)";
    AtomicInteger threads = new AtomicInteger();
    this.queries = new ThreadPoolExecutor(THREADS, THREADS, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(QUEUE), work -> {
      Thread thread = new Thread(work, "kck-key-presence-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    queries.allowCoreThreadTimeOut(true);
  }

  /** True when {@code key} has rows in the journal or the snapshot store (it may have a value). */
  public CompletionStage<Boolean> written(String key) {
    if (written.contains(key)) {
      return CompletableFuture.completedFuture(true);
    }
    return ask(key, false);
  }

  /**
   * True when {@code key} has rows in the journal or the snapshot store, or its first compute
   * started ({@link FirstComputes}): whether a source change must reach it, in one query. Only
   * journal rows are remembered: a key whose first compute started is asked again until it wrote.
   *
   * @throws IllegalStateException when this presence was made without {@link FirstComputes}
   */
  public CompletionStage<Boolean> writtenOrComputing(String key) {
    if (sqlWithFirstComputes == null) {
      throw new IllegalStateException("No primer declares a source: no first computes are marked");
    }
    return written.contains(key) ? CompletableFuture.completedFuture(true) : ask(key, true);
  }

  /** {@code withMarks}: whether a first compute's mark counts as written too. */
  private CompletionStage<Boolean> ask(String key, boolean withMarks) {
    try {
      return CompletableFuture.supplyAsync(() -> query(key, withMarks), queries);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new OverloadedException(key,
          "Too many reads of keys that may not exist are waiting for the database (" + QUEUE + "); try again", null));
    }
  }

  /** {@code key} lost its rows: the next check asks the database again. */
  public void forgotten(String key) {
    written.remove(key);
  }

  public void close() {
    queries.shutdownNow();
  }

  private boolean query(String key, boolean withMarks) {
    String persistenceId = JournalNames.persistenceId(key);
    try (Connection connection = rows.connection();
        PreparedStatement statement = connection.prepareStatement(withMarks ? sqlWithFirstComputes : sql)) {
      statement.setString(1, persistenceId);
      statement.setString(2, persistenceId);
      if (withMarks) {
        statement.setString(3, persistenceId);
      }
      try (ResultSet result = statement.executeQuery()) {
        if (!result.next()) {
          return false;
        }
        boolean found = result.getBoolean(1);
        if (found) {
          written.add(key);
        }
        return found || (withMarks && result.getBoolean(2));
      }
    } catch (SQLException | RuntimeException e) {
      throw new KeyUnavailableException(key, "Cannot tell whether key '" + key + "' has a value: the journal did not answer", e);
    }
  }
}
