package io.kck.entity.source;

import io.kck.entity.KeyClient;
import io.kck.entity.KeyCommand;
import io.kck.entity.SourcePosition;
import io.kck.persistence.StoredValue;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.TableSource;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads KCK's replication slot and hands each committed change of a source table to the keys it
 * affects, as {@link KeyCommand.SourceChange} requests; confirms the slot past a transaction only
 * once every key it affected has answered (after journaling the change), so that nothing is missed
 * across a crash. A change delivered again after a restart carries the same position, and a key
 * that recorded it applies it no second time.
 *
 * <p>Per key, one request is in flight at a time and changes queue behind it in stream order; an
 * outdate or refresh that queues behind another one merges with it (a burst of N changes of one
 * key's rows costs at most one request in flight plus one waiting, whatever N). A refresh is sent
 * to a key at most once per {@code kck.sources.refresh-window}: what arrives meanwhile waits and
 * merges, so a burst recomputes a key at most once per window. Keys never written to the journal
 * are asked nothing unless their first compute started (it marked them before its snapshot of the
 * source database: {@code FirstComputes}), so that changes start no key nobody computed.
 *
 * <p>One thread reads the stream (pgjdbc's replication API, decoded by {@link PgOutput}); answers
 * arrive on the threads of the key requests. Start with {@link #start}, end with {@link #stop}.
 */
public final class SourceConsumer {
  private static final Logger log = LoggerFactory.getLogger(SourceConsumer.class);
  /** PostgreSQL's "object in use": the slot is active for another connection. */
  private static final String SLOT_IN_USE = "55006";

  /** A primer's source, as the consumer routes a table's changes. */
  public record Route(Primer<?> primer, TableSource source) {}

  private final SourceSettings settings;
  private final SourceDatabase database;
  private final Map<String, List<Route>> routes;
  private final KeyClient keys;
  private final Function<String, CompletionStage<Boolean>> written;
  private final BiFunction<Key<?>, Object, StoredValue> encodeDelta;
  private final ScheduledExecutorService retries;
  private final Object lock = new Object();

  // Guarded by lock.
  private final ArrayDeque<Txn> pending = new ArrayDeque<>();
  private final Map<String, Lane> lanes = new HashMap<>();
  private int pendingChanges;
  private long confirmable;

  private volatile boolean stopped;
  private volatile Thread reader;
  private volatile boolean connected;
  private final AtomicLong changesRead = new AtomicLong();
  private final AtomicLong requestsSent = new AtomicLong();
  private volatile long lastCommitMillis;
  private volatile Connection current;

  public SourceConsumer(SourceSettings settings, Collection<Route> routes, KeyClient keys,
      Function<String, CompletionStage<Boolean>> written, BiFunction<Key<?>, Object, StoredValue> encodeDelta) {
    this.settings = settings;
    this.database = new SourceDatabase(settings);
    Map<String, List<Route>> byTable = new HashMap<>();
    for (Route route : routes) {
      byTable.computeIfAbsent(route.source().table(), table -> new ArrayList<>()).add(route);
    }
    this.routes = Map.copyOf(byTable);
    this.keys = keys;
    this.written = written;
    this.encodeDelta = encodeDelta;
    this.retries = Executors.newSingleThreadScheduledExecutor(work -> {
      Thread thread = new Thread(work, "kck-sources-retry");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** The tables the routes read, as {@code schema.table}. */
  public static Set<String> tables(Collection<Route> routes) {
    Set<String> tables = new TreeSet<>();
    routes.forEach(route -> tables.add(route.source().table()));
    return tables;
  }

  /** Starts reading the slot on a thread of its own. */
  public synchronized void start() {
    if (reader != null) {
      return;
    }
    stopped = false;
    Thread thread = new Thread(this::run, "kck-sources-" + settings.slot());
    thread.setDaemon(true);
    reader = thread;
    thread.start();
  }

  /** Stops reading and closes the stream; what was not confirmed is delivered again to the next reader. */
  public void stop() {
    stopped = true;
    Thread thread = reader;
    Connection connection = current;
    if (connection != null) {
      try {
        connection.abort(Runnable::run); // closes the socket: ends a read blocked on it, without waiting for its lock
      } catch (SQLException | RuntimeException e) {
        log.debug("Closing the replication connection: {}", e.toString());
      }
    }
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    retries.shutdownNow();
  }

  /** Whether the stream is open now. */
  public boolean connected() {
    return connected;
  }

  /** Changes of source rows read from the stream since start. */
  public long changesRead() {
    return changesRead.get();
  }

  /** Requests sent to keys since start (after merging and skipping keys never written). */
  public long requestsSent() {
    return requestsSent.get();
  }

  /**
   * The position up to which every change read has been journaled by its keys: what KCK confirms
   * to the slot (sent to the server at once when nothing else waits, else within 50 ms or the status
   * interval); 0 before the first.
   */
  public long confirmedLsn() {
    return confirmable(0);
  }

  /** Changes read whose keys have not all answered. */
  public int pendingChanges() {
    synchronized (lock) {
      return pendingChanges;
    }
  }

  /**
   * Seconds since the commit of the oldest transaction read whose keys have not all answered (0 when
   * all have): on the server's clock for the commit, this node's for now, never below 0.
   */
  public double lagSeconds() {
    synchronized (lock) {
      confirmable(0); // the reader drops answered transactions only when a message arrives
      Txn oldest = pending.peek();
      return oldest == null ? 0 : Math.max(0, System.currentTimeMillis() - oldest.commitMillis) / 1000.0;
    }
  }

  /** The slot's lag in WAL bytes, asked of the server; -1 when there is no slot. */
  public long lagBytes() {
    try {
      return database.lagBytes();
    } catch (SQLException e) {
      return -1;
    }
  }

  private void run() {
    long delay = settings.retryDelay().toMillis();
    while (!stopped) {
      try (Connection connection = database.replicationConnection()) {
        current = connection;
        if (stopped) {
          break;
        }
        PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI()
            .replicationStream().logical()
            .withSlotName(settings.slot())
            .withSlotOption("proto_version", 1)
            .withSlotOption("publication_names", settings.publication())
            .withStatusInterval((int) Math.max(1, settings.statusInterval().toMillis()), TimeUnit.MILLISECONDS)
            .start();
        connected = true;
        log.info("Reading the source tables' changes from slot '{}'", settings.slot());
        delay = settings.retryDelay().toMillis();
        read(stream);
        stream.close();
      } catch (Exception e) {
        if (stopped) {
          break;
        }
        if (e instanceof SQLException refused && SLOT_IN_USE.equals(refused.getSQLState())) {
          releaseSlot();
        }
        log.warn("The change stream of slot '{}' failed; reconnecting in {} ms: {}", settings.slot(), delay, e.toString());
        sleep(delay);
        delay = Math.min(delay * 2, settings.maxRetryDelay().toMillis());
      } finally {
        connected = false;
      }
    }
  }

  /**
   * The slot is held by another connection: that of a consumer on a node that crashed, which the
   * server keeps until {@code wal_sender_timeout} (60 s by default) or TCP notices. This node runs the
   * cluster's only consumer (a singleton, started once the old node was downed), so that connection
   * is ended rather than waited out.
   */
  private void releaseSlot() {
    try {
      database.endOtherReaders().forEach(pid -> log.warn("The replication slot '{}' was held by server process {},"
          + " a consumer this cluster no longer runs (its node left or crashed): ended it", settings.slot(), pid));
    } catch (SQLException e) {
      log.warn("Cannot end the server process that holds the replication slot '{}': {}", settings.slot(), e.toString());
    }
  }

  /**
   * Reads the stream with pgjdbc's blocking {@code read()}: its non-blocking {@code readPending()}
   * looks at the socket at most once a second (pgjdbc throttles that check), which would delay every
   * change by up to a second. The slot is confirmed as messages arrive (the server's keepalives
   * included), so a confirmation can wait for the next message.
   */
  private void read(PGReplicationStream stream) throws Exception {
    PgOutput decoder = new PgOutput();
    synchronized (lock) {
      pending.removeIf(open -> !open.committed); // cut off by the lost connection: the slot sends it again, whole
    }
    Txn txn = null;
    long lastStatus = System.nanoTime();
    long flushed = 0;
    while (!stopped) {
      long confirm = confirmable(txn == null ? stream.getLastReceiveLSN().asLong() : 0);
      if (Long.compareUnsigned(confirm, flushed) > 0) {
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(confirm);
        stream.setFlushedLSN(lsn);
        stream.setAppliedLSN(lsn);
        flushed = confirm;
        if (System.nanoTime() - lastStatus > 50_000_000L) {
          stream.forceUpdateStatus(); // else pgjdbc sends it within the status interval
          lastStatus = System.nanoTime();
        }
      }
      if (pendingChanges() >= settings.maxPendingChanges()) {
        if (System.nanoTime() - lastStatus > settings.statusInterval().toNanos()) {
          stream.forceUpdateStatus(); // still alive, while keys catch up
          lastStatus = System.nanoTime();
        }
        sleep(1);
        continue;
      }
      ByteBuffer buffer = stream.read();
      if (buffer == null) {
        continue;
      }
      PgOutput.Message message = decoder.decode(buffer);
      if (message instanceof PgOutput.Begin begin) {
        txn = new Txn(begin.finalLsn(), begin.commitMillis(), Integer.toUnsignedLong(begin.xid()));
        synchronized (lock) {
          pending.add(txn);
        }
      } else if (message instanceof PgOutput.Change change && txn != null) {
        changesRead.incrementAndGet();
        route(txn, change);
      } else if (message instanceof PgOutput.Commit commit && txn != null) {
        synchronized (lock) {
          txn.endLsn = commit.endLsn();
          txn.committed = true;
        }
        lastCommitMillis = System.currentTimeMillis();
        txn = null;
      } else if (message instanceof PgOutput.Truncate truncate) {
        log.warn("Source tables {} were truncated: KCK's publication does not publish truncations, and the keys made"
            + " from their rows are not told; invalidate them", truncate.tables());
      }
    }
  }

  /** Hands one change to the keys of every route of its table. */
  private void route(Txn txn, PgOutput.Change change) {
    List<Route> tableRoutes = routes.get(change.table());
    if (tableRoutes == null) {
      return;
    }
    TableSource.Operation operation = TableSource.Operation.valueOf(change.kind().name());
    Map<String, String> after = change.after() == null ? null : filled(change.after(), change.before());
    ChangedRow before = change.before() == null ? null : new ChangedRow(change.table(), operation, change.before());
    ChangedRow now = after == null ? null : new ChangedRow(change.table(), operation, after);
    long base = txn.changes++ * 2; // two positions per change: the removal of the old row, then the new row
    for (Route route : tableRoutes) {
      Map<String, Key<?>> removedFrom = keysOf(route, before);
      Map<String, Key<?>> addedTo = keysOf(route, now);
      boolean augment = route.source().action() == TableSource.Action.AUGMENT;
      boolean refresh = route.source().action() == TableSource.Action.REFRESH;
      if (!augment) {
        Map<String, Key<?>> all = new LinkedHashMap<>(removedFrom);
        all.putAll(addedTo);
        all.keySet().forEach(key -> enqueue(txn, key, new Item(new SourcePosition(txn.lsn, base + 1), txn.xid, refresh,
            null)));
        continue;
      }
      // A row removed from a key: its "removed" delta, or an outdate; a row added: its "added" delta.
      removedFrom.forEach((text, key) -> enqueue(txn, text, new Item(new SourcePosition(txn.lsn, base), txn.xid,
          false, route.source().augmentsRemovals() ? delta(route, key, before, false) : null)));
      addedTo.forEach((text, key) -> enqueue(txn, text, new Item(new SourcePosition(txn.lsn, base + 1), txn.xid,
          false, delta(route, key, now, true))));
    }
  }

  /** The row after the change, with the unchanged TOASTed values the stream left out taken from the row before. */
  private static Map<String, String> filled(Map<String, String> after, Map<String, String> before) {
    if (!after.containsValue(PgOutput.UNCHANGED_TOAST)) {
      return after;
    }
    Map<String, String> row = new LinkedHashMap<>();
    after.forEach((column, value) -> {
      if (value != PgOutput.UNCHANGED_TOAST) {
        row.put(column, value);
      } else if (before != null && before.get(column) != PgOutput.UNCHANGED_TOAST) {
        row.put(column, before.get(column));
      }
    });
    return row;
  }

  private static Map<String, Key<?>> keysOf(Route route, ChangedRow row) {
    Map<String, Key<?>> keys = new LinkedHashMap<>();
    if (row == null) {
      return keys;
    }
    try {
      for (Key<?> key : route.source().keysOf(route.primer(), row)) {
        keys.put(key.text(), key);
      }
    } catch (RuntimeException e) {
      log.error("The source {} of {} could not map a changed row of {} to keys; no key hears of it: {}",
          route.source(), route.primer(), row.table(), e.toString());
    }
    return keys;
  }

  /** The delta for {@code key} made from {@code row}, encoded; null (an outdate) when there is none or it fails. */
  private StoredValue delta(Route route, Key<?> key, ChangedRow row, boolean added) {
    try {
      Object delta = added ? route.source().added(row) : route.source().removed(row);
      return delta == null ? null : encodeDelta.apply(key, delta);
    } catch (RuntimeException e) {
      log.warn("The source {} of {} made no delta for key '{}' from a changed row; the key is outdated instead: {}",
          route.source(), route.primer(), key, e.toString());
      return null;
    }
  }

  private void enqueue(Txn txn, String key, Item item) {
    synchronized (lock) {
      item.txns.add(txn);
      txn.outstanding++;
      pendingChanges++;
      Lane lane = lanes.computeIfAbsent(key, Lane::new);
      Item last = lane.queue.peekLast();
      if (last != null && last.delta == null && item.delta == null) {
        last.position = SourcePosition.later(last.position, item.position); // a burst of outdates: one request
        last.refresh |= item.refresh;
        last.xid = last.xid == item.xid ? last.xid : 0; // of several transactions: the key cannot skip it
        last.txns.addAll(item.txns);
      } else {
        lane.queue.add(item);
      }
      if (lane.inFlight == null && !lane.delayed) {
        send(lane);
      }
    }
  }

  /** Sends the next request of {@code lane}, or holds a refresh back until its window is over; holds the lock. */
  private void send(Lane lane) {
    Item next = lane.queue.peek();
    long now = System.nanoTime();
    long window = settings.refreshWindow().toNanos();
    boolean recentRefresh = lane.lastRefreshNanos != 0 && now - lane.lastRefreshNanos < window;
    if (next == null) {
      if (recentRefresh) {
        // Kept for the rest of its window, so that the next change of a burst waits for it too.
        later(() -> forget(lane), window - (now - lane.lastRefreshNanos));
      } else {
        lanes.remove(lane.key, lane);
      }
      return;
    }
    if (next.refresh && recentRefresh && !stopped) {
      lane.delayed = true; // what arrives meanwhile merges into it
      later(() -> {
        synchronized (lock) {
          lane.delayed = false;
          if (lane.inFlight == null) {
            send(lane);
          }
        }
      }, window - (now - lane.lastRefreshNanos));
      return;
    }
    Item item = lane.queue.poll();
    if (item.refresh) {
      lane.lastRefreshNanos = now;
    }
    lane.inFlight = item;
    CompletionStage<Boolean> present = item.checked ? CompletableFuture.completedFuture(true) : written.apply(lane.key);
    present.whenComplete((isWritten, error) -> {
      if (error != null) {
        retry(lane, item, error);
      } else if (!isWritten) {
        done(lane, item); // never written nor computing: nobody computed it, its first compute reads the row
      } else {
        item.checked = true;
        requestsSent.incrementAndGet();
        keys.ask(lane.key, replyTo -> new KeyCommand.SourceChange(item.position, item.refresh, item.delta, item.xid,
                replyTo))
            .whenComplete((entry, failure) -> {
              if (failure != null) {
                retry(lane, item, failure);
              } else {
                done(lane, item);
              }
            });
      }
    });
  }

  /** Runs {@code work} after {@code nanos}, unless the consumer stopped (its changes go to the next one). */
  private void later(Runnable work, long nanos) {
    try {
      retries.schedule(work, nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopping) {
      log.debug("Stopped: a key's source request is left to the next consumer");
    }
  }

  /** Drops a lane whose refresh window is over, when nothing came meanwhile. */
  private void forget(Lane lane) {
    synchronized (lock) {
      if (lane.queue.isEmpty() && lane.inFlight == null && !lane.delayed
          && System.nanoTime() - lane.lastRefreshNanos >= settings.refreshWindow().toNanos()) {
        lanes.remove(lane.key, lane);
      }
    }
  }

  private void done(Lane lane, Item item) {
    synchronized (lock) {
      for (Txn txn : item.txns) {
        txn.outstanding--;
        pendingChanges--;
      }
      lane.inFlight = null;
      send(lane);
    }
  }

  private void retry(Lane lane, Item item, Throwable error) {
    item.retries++;
    long delay = Math.min(settings.retryDelay().toMillis() << Math.min(item.retries - 1, 10), settings.maxRetryDelay().toMillis());
    if (item.retries >= 3) {
      log.warn("Key '{}' did not take the source change {} (attempt {}); again in {} ms: {}", lane.key, item.position,
          item.retries, delay, error.toString());
    } else {
      log.debug("Key '{}' did not take the source change {} (attempt {}); again in {} ms: {}", lane.key, item.position,
          item.retries, delay, error.toString());
    }
    if (stopped) {
      return;
    }
    retries.schedule(() -> {
      synchronized (lock) {
        lane.queue.addFirst(item);
        lane.inFlight = null;
        send(lane);
      }
    }, delay, TimeUnit.MILLISECONDS);
  }

  /**
   * The position the slot may be confirmed to: the end of the last transaction whose keys have all
   * answered, with every transaction before it; past everything received ({@code received}, 0 inside
   * a transaction) when nothing waits.
   */
  private long confirmable(long received) {
    synchronized (lock) {
      while (!pending.isEmpty() && pending.peek().committed && pending.peek().outstanding == 0) {
        long end = pending.poll().endLsn;
        if (Long.compareUnsigned(end, confirmable) > 0) {
          confirmable = end;
        }
      }
      if (pending.isEmpty() && Long.compareUnsigned(received, confirmable) > 0) {
        confirmable = received;
      }
      return confirmable;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A transaction read from the stream: confirmed once committed and every key it affected answered. */
  private static final class Txn {
    final long lsn;
    final long commitMillis;
    /** Its 32-bit transaction id (as the stream gives it), unsigned. */
    final long xid;
    long endLsn;
    boolean committed;
    int outstanding;
    long changes;

    Txn(long lsn, long commitMillis, long xid) {
      this.lsn = lsn;
      this.commitMillis = commitMillis;
      this.xid = xid;
    }
  }

  /** What one request tells one key; outdates may cover several transactions. */
  private static final class Item {
    SourcePosition position;
    /** The transaction's id; 0 once it stands for several. */
    long xid;
    boolean refresh;
    final StoredValue delta;
    final List<Txn> txns = new ArrayList<>(1);
    boolean checked;
    int retries;

    Item(SourcePosition position, long xid, boolean refresh, StoredValue delta) {
      this.position = position;
      this.xid = xid;
      this.refresh = refresh;
      this.delta = delta;
    }
  }

  /** The requests of one key, sent one at a time, in stream order. */
  private static final class Lane {
    final String key;
    final ArrayDeque<Item> queue = new ArrayDeque<>(2);
    Item inFlight;
    /** A refresh waits for the end of its window. */
    boolean delayed;
    /** When the last refresh was sent (System.nanoTime), 0 for never. */
    long lastRefreshNanos;

    Lane(String key) {
      this.key = key;
    }
  }

  /** A row image handed to a source's functions. */
  private record ChangedRow(String table, TableSource.Operation operation, Map<String, String> columns)
      implements TableSource.Row {}

  /** For logs. */
  @Override
  public String toString() {
    return "SourceConsumer(" + settings + ", tables " + routes.keySet() + ", " + Duration.ofMillis(
        lastCommitMillis == 0 ? 0 : System.currentTimeMillis() - lastCommitMillis) + " since the last commit)";
  }
}
