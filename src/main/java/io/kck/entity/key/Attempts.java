package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import io.kck.entity.ComputeWindow;
import io.kck.entity.KeyReply;
import io.kck.entity.Lineage;
import io.kck.entity.TxnSnapshot;
import io.kck.entity.Wave;
import io.kck.entity.metrics.Meters;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who waits for which compute of one key. Computes are numbered attempts, at most one running; a
 * caller waits for the first attempt numbered {@code minAttempt} or later, so a get joins the
 * running attempt while a refresh (which wants a value computed after it arrived) waits for the
 * next one. When an attempt ends, every waiter it satisfies gets the same answer. A caller waits
 * once however often its request arrives ({@code kck.request-resend-after} sends a get again with
 * the same reply-to), so that it is answered once. Pure bookkeeping, used by the key's actor only.
 */
final class Attempts {

  /** A compute in progress: superseded once a put or invalidation made its result moot. */
  static final class Attempt {
    final long number;
    /** The upstream versions its reads require. */
    final Map<String, Long> promised;
    final TrackedReads reads;
    /** Deltas applied while it runs: applied again on top of its result. */
    final List<Object> deltasDuring = new ArrayList<>();
    ComputeHandle task;
    boolean superseded;
    /** For the meters: why it started, when, and the version it started from. */
    Meters.ComputeCause cause;
    long startedNanos;
    long baseVersion;
    /** The wave it belongs to, or null (then a new value of it starts one). */
    Wave wave;
    /**
     * Its snapshot of the source database before its first read, once it told the key (null until
     * then, and for a primer without sources): which source changes it reads.
     */
    TxnSnapshot before;
    /**
     * Transactions of source changes that came before {@link #before} was known: judged by it when
     * it comes ({@link #began}); if it never does, taken as not read when the attempt ends.
     */
    final List<Long> undecided = new ArrayList<>();
    /** Whether one of {@link #undecided} asks for a refresh (owed if it proves unread). */
    boolean undecidedRefresh;
    /** Set when it ends: superseded by an undecided change that asked for a refresh, which is owed now. */
    boolean refreshOwed;

    Attempt(long number, Map<String, Long> promised, TrackedReads reads) {
      this.number = number;
      this.promised = promised;
      this.reads = reads;
    }
  }

  /**
   * A caller waiting for the first attempt numbered {@code minAttempt} or later. A get accepts the
   * last good value (stale-if-error) when that attempt fails; a refresh does not.
   */
  record Waiter(ActorRef<KeyReply> replyTo, long minAttempt, boolean acceptsStale) {}

  private long nextNumber = 1;
  private Attempt running;
  // By reply-to, in the order they came: each ask has its own, and a request sent again is the same caller.
  private final Map<ActorRef<KeyReply>, Waiter> waiters = new LinkedHashMap<>();
  private final AtomicInteger waitingOnNode; // the primer's waiters on this node, for the meters

  Attempts(AtomicInteger waitingOnNode) {
    this.waitingOnNode = waitingOnNode;
  }

  Attempts() {
    this(new AtomicInteger());
  }

  /** The running attempt, or null. */
  Attempt running() {
    return running;
  }

  /** The number the next attempt will have: one that starts after now. */
  long next() {
    return nextNumber;
  }

  /**
   * The attempt a caller joins: the running one, unless a put or invalidation made it moot or it
   * was started without the upstream versions {@code needs} asks of a value made from {@code
   * lineage}; otherwise the next.
   */
  long joinable(Map<String, Long> needs, Map<String, Long> lineage) {
    return running != null && !running.superseded && Lineage.covers(running.promised, needs, lineage)
        ? running.number
        : nextNumber;
  }

  /**
   * {@code replyTo} waits for the first attempt numbered {@code minAttempt} or later; a caller that
   * already waits keeps waiting for what it waited for.
   */
  void await(ActorRef<KeyReply> replyTo, long minAttempt, boolean acceptsStale) {
    if (waiters.putIfAbsent(replyTo, new Waiter(replyTo, minAttempt, acceptsStale)) == null) {
      waitingOnNode.incrementAndGet();
    }
  }

  boolean anyWaiting() {
    return !waiters.isEmpty();
  }

  int waiting() {
    return waiters.size();
  }

  boolean isWaiting(ActorRef<KeyReply> replyTo) {
    return waiters.containsKey(replyTo);
  }

  /** Starts the next attempt; none may be running. */
  Attempt start(Map<String, Long> promised, TrackedReads reads) {
    if (running != null) {
      throw new IllegalStateException("attempt " + running.number + " is still running");
    }
    running = new Attempt(nextNumber++, promised, reads);
    return running;
  }

  /** Ends attempt {@code number} if it is the running one and returns it; otherwise null (a late answer). */
  Attempt finish(long number) {
    if (running == null || running.number != number) {
      return null;
    }
    Attempt finished = running;
    running = null;
    if (!finished.superseded && !finished.undecided.isEmpty()) {
      // Its snapshot never came (the database gave none): it may not have read those changes.
      finished.superseded = true;
      finished.refreshOwed = finished.undecidedRefresh;
      deferAllToNext();
    }
    return finished;
  }

  /** A put replaces the value: the running attempt's result is moot. */
  void supersede() {
    if (running != null) {
      running.superseded = true;
    }
  }

  /**
   * An invalidation: the running attempt may have read data the invalidation declares outdated,
   * so its waiters get the next attempt instead.
   */
  void invalidated() {
    if (running != null && !running.superseded) {
      running.superseded = true;
      deferAllToNext();
    }
  }

  /**
   * Attempt {@code number} took its snapshot of the source database before its first read. Kept only
   * while it is the running attempt and not superseded: a late message of an attempt that is over,
   * or one whose result is moot, changes nothing. The changes that came before it ({@link
   * #judgeLater}) are judged now: if one is not in what the attempt reads, the attempt is superseded;
   * answers whether one of those asked for a refresh, which is then owed.
   */
  boolean began(long number, TxnSnapshot before) {
    if (running == null || running.number != number || running.superseded) {
      return false;
    }
    running.before = before;
    boolean unread = running.undecided.stream().anyMatch(xid -> !runningReads(xid));
    boolean refresh = unread && running.undecidedRefresh;
    running.undecided.clear();
    if (unread) {
      invalidated();
    }
    return refresh;
  }

  /**
   * A source change of transaction {@code xid} came while the running attempt's snapshot is not
   * known yet: it is kept, to be judged by that snapshot ({@link #began}), instead of superseding
   * the attempt at once. Answers false (nothing kept) when no attempt runs, it is superseded, or its
   * snapshot is known ({@link #runningReads} answers then).
   */
  boolean judgeLater(long xid, boolean refresh) {
    if (running == null || running.superseded || running.before != null) {
      return false;
    }
    running.undecided.add(xid);
    running.undecidedRefresh |= refresh;
    return true;
  }

  /**
   * Whether the running attempt reads the source change of transaction {@code xid} (32 bits, as the
   * change stream gives it): it is not superseded and its snapshot before its first read shows the
   * transaction committed (see {@link ComputeWindow#holds}). False while that snapshot is unknown.
   */
  boolean runningReads(long xid) {
    return running != null && !running.superseded && running.before != null
        && new ComputeWindow(running.before, null).holds(xid) == ComputeWindow.Held.YES;
  }

  /** A delta was applied while an attempt runs: its result has not seen it, and gets it applied again. */
  void deltaApplied(Object delta) {
    if (running != null && !running.superseded) {
      running.deltasDuring.add(delta);
    }
  }

  /** Every waiter wants an attempt that starts after now (the running one is moot or inconsistent). */
  void deferAllToNext() {
    waiters.replaceAll((replyTo, waiter) -> new Waiter(waiter.replyTo(), Math.max(waiter.minAttempt(), nextNumber), waiter.acceptsStale()));
  }

  /** Removes and returns the waiters that attempt {@code number} satisfies. */
  List<Waiter> satisfiedBy(long number) {
    List<Waiter> satisfied = new ArrayList<>();
    for (Iterator<Waiter> it = waiters.values().iterator(); it.hasNext(); ) {
      Waiter waiter = it.next();
      if (waiter.minAttempt() <= number) {
        satisfied.add(waiter);
        it.remove();
      }
    }
    waitingOnNode.addAndGet(-satisfied.size());
    return satisfied;
  }

  /** Removes and returns every waiter. */
  List<Waiter> drain() {
    List<Waiter> all = new ArrayList<>(waiters.values());
    waitingOnNode.addAndGet(-all.size());
    waiters.clear();
    return all;
  }

  /** The key stops: the running attempt (returned, to cancel it) and the waiters are dropped. */
  Attempt reset() {
    Attempt abandoned = running;
    running = null;
    waitingOnNode.addAndGet(-waiters.size());
    waiters.clear();
    return abandoned;
  }
}
