package io.kck.entity.tier;

import com.typesafe.config.Config;
import io.kck.entity.EntryData;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyState;
import io.kck.entity.metrics.Meters;
import io.kck.entity.settings.EntitySettings;
import io.kck.entity.settings.PrimerSettings;
import io.kck.persistence.DatabaseHealth;
import io.kck.persistence.JournalNames;
import io.kck.persistence.JournalRows;
import io.kck.persistence.LatestRows;
import io.kck.persistence.ValueCodecs;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the values of this node's stopped keys into the read tier straight from the journal, many
 * keys per query, without starting their actors ({@code kck.read-tier.bulk-load}): after a
 * restart, or once an entry was evicted, a get that misses the tier is answered from the key's
 * last snapshot and events instead of waiting for its actor to start and recover, which sharding
 * does a few thousand times a second at most.
 *
 * <p>A key is loaded only when its shard runs on this node (its {@link ShardGuard} holds: the entry
 * is kept under it), its actor does not run here, and what the journal holds is what the actor
 * would answer at once: a value, not outdated, read from no other product (a dependent's actor
 * first asks its inputs whether they moved on), no delta after the last snapshot (an augment
 * function would have to run), still fresh by its primer's policy and within the retention's touch
 * interval, and readable as the primer's type. Anything else, a full queue, or a failed query
 * leaves the get to ask the key's actor as before; a loaded entry never answers a get the actor
 * would have answered otherwise.
 *
 * <p>Why it never serves a value older than the actor's: each load claims its key before it reads
 * the journal, and a key's actor claims its key when it starts ({@link #actorStarted}), replacing a
 * load's claim; the entry goes into the tier only while the load's claim stands, in one atomic step
 * on the claim. So either the load finished before the actor started (the actor then takes the
 * entry over, as it takes over what its last incarnation kept), or it puts nothing. No write can
 * happen between the read and the insertion: only a running actor writes, and every write it
 * acknowledged was committed before it stopped. Thread-safe.
 */
public final class TierLoader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TierLoader.class);
  private static final Object LIVE = new Object();

  /**
   * {@code kck.read-tier.bulk-load}.
   *
   * @param enabled whether misses are loaded in bulk at all
   * @param batchSize most keys read by one pair of queries
   * @param threads loads running at once, each on a connection of the journal's pool
   * @param maxWaiting keys waiting to be loaded; past it a miss asks the key's actor
   */
  public record Settings(boolean enabled, int batchSize, int threads, int maxWaiting) {
    public static Settings fromConfig(Config config) {
      Config block = config.getConfig("kck.read-tier.bulk-load");
      Settings settings = new Settings(block.getBoolean("enabled"), block.getInt("batch-size"), block.getInt("threads"),
          block.getInt("max-waiting"));
      check(settings.batchSize, 1, 10_000, "batch-size");
      check(settings.threads, 1, 64, "threads");
      check(settings.maxWaiting, 1, 10_000_000, "max-waiting");
      return settings;
    }

    private static void check(int value, int min, int max, String name) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            "kck.read-tier.bulk-load." + name + " must be between " + min + " and " + max + ", got " + value);
      }
    }
  }

  private record Load(Key<?> key, ShardGuard guard, CompletableFuture<LocalEntry> loaded) {}

  private final ReadTier tier;
  private final ShardGuards guards;
  private final EntitySettings keySettings;
  private final ValueCodecs codecs;
  private final Meters meters;
  private final JournalRows rows;
  private final DatabaseHealth health;
  private final Clock clock;
  private final Settings settings;
  private final boolean enabled;
  // A key's claim: LIVE while its actor runs here, or the future of the one load under way.
  private final ConcurrentMap<String, Object> claims = new ConcurrentHashMap<>();
  private final BlockingQueue<Load> waiting;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;
  private final AtomicLong failures = new AtomicLong();

  public TierLoader(ReadTier tier, ShardGuards guards, EntitySettings keySettings, ValueCodecs codecs, Meters meters,
      JournalRows rows, DatabaseHealth health, Clock clock, Settings settings) {
    this.tier = tier;
    this.guards = guards;
    this.keySettings = keySettings;
    this.codecs = codecs;
    this.meters = meters;
    this.rows = rows;
    this.health = health;
    this.clock = clock;
    this.settings = settings;
    this.enabled = settings.enabled() && keySettings.localHits();
    this.waiting = new LinkedBlockingQueue<>(settings.maxWaiting());
  }

  /** Starts the threads that run the loads (not in the constructor: the node is still being wired). */
  public void start() {
    if (!enabled) {
      return;
    }
    for (int i = 1; i <= settings.threads(); i++) {
      Thread thread = new Thread(this::run, "kck-tier-loader-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /**
   * Loads {@code key}'s entry into the tier if it can be (see the class comment): the stage
   * completes with the entry, or with null when the caller must ask the key's actor. Null instead
   * of a stage when there is nothing to try. Never fails.
   */
  public CompletionStage<LocalEntry> load(Key<?> key) {
    if (!enabled || !health.available()
        || keySettings.of(key.primer()).freshness() instanceof Freshness.AlwaysFresh) {
      return null;
    }
    ShardGuard guard = guards.current(guards.shardOf(key.text()));
    if (guard == null) {
      return null; // the shard is not here (yet): asking starts it, or finds it on its node
    }
    if (claims.get(key.text()) == LIVE) {
      return null; // most misses on this node: a live key computing or refreshing; nothing to allocate
    }
    CompletableFuture<LocalEntry> mine = new CompletableFuture<>();
    Object claim = claims.putIfAbsent(key.text(), mine);
    if (claim == LIVE) {
      return null;
    } else if (claim != null) {
      @SuppressWarnings("unchecked") // only loads' futures and LIVE are claims
      CompletableFuture<LocalEntry> other = (CompletableFuture<LocalEntry>) claim;
      return counted(key, other);
    }
    if (!waiting.offer(new Load(key, guard, mine))) {
      claims.remove(key.text(), mine);
      return null;
    }
    return counted(key, mine);
  }

  /** Each get answered by a load counts as {@code loaded}, also one that joined another's load. */
  private CompletionStage<LocalEntry> counted(Key<?> key, CompletableFuture<LocalEntry> load) {
    return load.thenApply(entry -> {
      if (entry != null) {
        meters.of(key.primer()).get(Meters.GetOutcome.LOADED);
      }
      return entry;
    });
  }

  /**
   * {@code key}'s actor starts on this node: no load under way may put an entry for it from now on
   * (the load answers null when its batch is done, and its gets ask the actor).
   */
  public void actorStarted(String key) {
    claims.put(key, LIVE);
  }

  /** {@code key}'s actor stopped on this node (not a restart after a journal failure). */
  public void actorStopped(String key) {
    claims.remove(key, LIVE);
  }

  @Override
  public void close() {
    closed = true;
    threads.forEach(Thread::interrupt);
  }

  /** Runs one batch of the loads waiting, on the caller's thread (tests: a loader whose threads were not started). */
  void loadWaiting() {
    List<Load> batch = new ArrayList<>();
    waiting.drainTo(batch, settings.batchSize());
    loadAll(batch);
  }

  private void run() {
    List<Load> batch = new ArrayList<>(settings.batchSize());
    while (!closed) {
      try {
        batch.add(waiting.take());
      } catch (InterruptedException e) {
        return;
      }
      waiting.drainTo(batch, settings.batchSize() - 1);
      try {
        loadAll(batch);
      } catch (RuntimeException e) {
        log.error("Loading {} key(s) into the read tier failed; their gets ask the keys' actors", batch.size(), e);
        batch.forEach(load -> {
          claims.remove(load.key().text(), load.loaded());
          load.loaded().complete(null);
        });
      }
      batch.clear();
    }
  }

  private void loadAll(List<Load> batch) {
    Map<String, Load> byId = new HashMap<>();
    for (Load load : batch) {
      byId.put(JournalNames.persistenceId(load.key().text()), load);
    }
    Map<String, LatestRows.Rows> found;
    try (Connection connection = rows.connection()) {
      found = LatestRows.read(rows.database(), connection, byId.keySet());
    } catch (Exception e) {
      long failed = failures.incrementAndGet();
      if (failed % 1000 == 1) { // the keys' actors report the database's state; here nothing is lost
        log.warn("Loading {} key(s) into the read tier failed; their gets ask the keys' actors ({} failure(s) so far): {}",
            batch.size(), failed, e.toString());
      }
      batch.forEach(load -> give(load, null));
      return;
    }
    byId.forEach((id, load) -> {
      LatestRows.Rows rows = found.get(id);
      LocalEntry entry = null;
      try {
        entry = rows == null ? null : entry(load, rows);
      } catch (RuntimeException e) { // an event this version cannot apply: the key's actor reports it
        log.debug("Key '{}' is not loaded into the read tier: {}", load.key(), e.toString());
      }
      give(load, entry);
    });
  }

  /** The entry {@code rows} give {@code load}'s key, or null when its actor must answer. */
  private LocalEntry entry(Load load, LatestRows.Rows rows) {
    if (rows.snapshot() != null && !(rows.snapshot() instanceof KeyState)) {
      return null; // not a snapshot of a key as this version writes them: its actor knows what to do
    }
    KeyState state = rows.snapshot() instanceof KeyState snapshot ? snapshot : KeyState.EMPTY;
    for (Object event : rows.events()) {
      if (!(event instanceof KeyEvent journaled) || event instanceof KeyEvent.DeltaApplied) {
        return null;
      }
      state = state.apply(journaled);
    }
    if (!state.hasValue() || state.outdated() || !state.inputs().isEmpty()
        || state.valueFormat() != load.key().primer().valueFormat()) {
      return null; // (the last: its actor migrates it, or drops it)
    }
    PrimerSettings primer = keySettings.of(load.key().primer());
    long fresh = state.expiry() != null ? state.expiry().freshUntilMillis() : primer.freshUntilMillis(state.computedAt());
    long until = Math.min(fresh, primer.retention().servedWithoutRecordingUntilMillis(state));
    if (until <= clock.millis()) {
      return null;
    }
    try {
      state.value().value(codecs.of(load.key().primer())); // decoded once, kept for the first get
    } catch (RuntimeException unreadable) {
      return null; // the actor reports it and drops the value
    }
    Instant next = state.expiry() != null ? state.expiry().refreshAt()
        : primer.freshness() instanceof Freshness.Periodic ? Instant.ofEpochMilli(until) : null;
    EntryData data = new EntryData(load.key().text(), state.value(), state.version(), state.computedAt(), false, false,
        null, next, state.lineage(), fresh == PrimerSettings.NO_DEADLINE ? null : Instant.ofEpochMilli(fresh));
    return LocalEntry.loaded(load.key().primer(), data, meters.of(load.key().primer()), until, load.guard());
  }

  /** Puts {@code entry} in the tier if the load's claim still stands, and answers the load. */
  private void give(Load load, LocalEntry entry) {
    String key = load.key().text();
    boolean[] placed = {false};
    claims.computeIfPresent(key, (text, claim) -> {
      if (claim != load.loaded()) {
        return claim; // the key's actor started: it answers
      }
      if (entry != null && load.guard().holds()) {
        tier.put(key, entry);
        placed[0] = true;
      }
      return null;
    });
    load.loaded().complete(placed[0] ? entry : null);
  }
}
