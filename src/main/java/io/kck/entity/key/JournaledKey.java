package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.RecoveryFailed;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.SnapshotCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyEvent;
import io.kck.entity.KeyReply;
import io.kck.entity.KeyState;
import io.kck.entity.metrics.Meters;
import io.kck.entity.metrics.Traces;
import io.kck.entity.settings.EntitySettings;
import io.kck.persistence.JournalNames;
import io.kck.persistence.JournalPurge;
import io.kck.persistence.KckEventSourced;
import io.kck.persistence.KckEventSourcedWithReplies;
import io.kck.primer.Key;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.event.Level;

/**
 * How a key is journaled: its persistence id and plugins, how its events rebuild its state, when
 * it snapshots, how many requests it buffers while it loads or writes, what a journal failure does
 * to it, the signals of its life (loaded, stopped), and how it forgets its rows when its primer's
 * retention says so ({@link Retention}). {@link KeyEntity} adds what it does with commands.
 */
public abstract class JournaledKey extends KckEventSourcedWithReplies<KeyCommand, KeyEvent, KeyState> {

  private final EntitySettings settings;
  private final Deltas deltas;
  private final Retention retention;
  private VersionFloor floor; // made for a key that loads without a version only
  private final KeyRows rows;
  private final Meters.PrimerMeters meters;
  private final Key<?> key;
  private Traces.Recovery loading = loading();
  // Bytes journaled since the last snapshot: the deltas' (replayed ones too: a start replays them
  // all again) and, for a key without augment, its new values' (from this start on).
  private long bytesSinceSnapshot;
  private long loadingSince = System.nanoTime();
  private boolean loadFailed; // the restart under way follows a failed load, already logged
  private boolean rowsDeleted; // forgotten: its rows go, and it stops soon

  private final ValueMigrations migrations;

  JournaledKey(Key<?> key, EntitySettings settings, Deltas deltas, Meters.PrimerMeters meters, Retention retention,
      KeyRows rows, ValueMigrations migrations) {
    // A journal failure (write or recovery) restarts the key after a backoff instead of stopping
    // it: a stopped entity races with the next request, which sharding may still hand to the dead
    // actor (lost until its caller times out); a restarting one keeps its mailbox and buffer.
    // Akka would log every such restart as an ERROR with a stack trace, again and again while the
    // database is down: JournalFailures logs a line per key per window instead.
    super(PersistenceId.of(JournalNames.KEY_TYPE, key.text()),
        KckEventSourced.restartsAfterBackoff(settings.journalBackoffMin(), settings.journalBackoffMax())
            .withLogLevel(Level.DEBUG));
    this.settings = settings;
    this.deltas = deltas;
    this.retention = retention;
    this.rows = rows;
    this.meters = meters;
    this.key = key;
    this.migrations = migrations;
    meters.started(); // this object lives as long as the actor, restarts included
  }

  Retention retention() {
    return retention;
  }

  /** How values of older formats are read as the key loads. */
  ValueMigrations migrations() {
    return migrations;
  }

  /** The time on the key's clock (injected, so that tests can drive it). */
  Instant now() {
    return retention.now();
  }

  /**
   * The retention sweep asks the key to forget itself: unless {@link Retention} finds it still
   * wanted, it journals {@link KeyEvent.Forgotten} (its state is then a new key's), {@code leave}
   * drops what the key planned, and the key leaves its inputs and deletes its rows.
   */
  ReplyEffect<KeyEvent, KeyState> forget(KeyState state, KeyCommand.Forget forget, boolean first, Writers writers,
      Consumer<KeyState> leave) {
    String keptBecause = retention.keptBecause(state, first);
    if (keptBecause != null) {
      return Effect().reply(forget.replyTo(), new KeyReply.Retention(false, keptBecause));
    }
    writers.writing(forget.replyTo()); // a failed write answers it (the key restarts), as any writer's
    return journal(new KeyEvent.Forgotten(now(), state.version())).thenRun((KeyState after) -> {
      writers.written(forget.replyTo());
      rowsDeleted = true;
      leave.accept(after);
      long sequenceNr = lastSequenceNumber(retention.context());
      retention.forgotten(state, sequenceNr, forget.replyTo());
    }).thenNoReply(); // answered once its rows are deleted (Retention#forgotten)
  }

  /**
   * Whether the key has no rows in the journal, so that the source consumer does not send it
   * changes unless its first compute is marked ({@code FirstComputes}): it wrote nothing since it
   * was created, or it was forgotten (its rows are being deleted). True when it cannot tell.
   */
  boolean unwritten() {
    try {
      return rowsDeleted || lastSequenceNumber(retention.context()) == 0;
    } catch (IllegalStateException loading) {
      return true; // not running yet (Akka knows the number once loaded): a mark more at worst
    }
  }

  /** Callers whose write is under way: answered with a failure if the key stops or restarts before it is journaled. */
  interface Writers {
    void writing(ActorRef<KeyReply> replyTo);

    void written(ActorRef<KeyReply> replyTo);
  }

  /** What the key does with commands ({@link KeyEntity}), once {@link VersionFloor} let them through. */
  abstract CommandHandlerWithReply<KeyCommand, KeyEvent, KeyState> keyCommands();

  @Override
  public final CommandHandlerWithReply<KeyCommand, KeyEvent, KeyState> commandHandler() {
    CommandHandlerWithReply<KeyCommand, KeyEvent, KeyState> commands = keyCommands();
    return (state, command) -> {
      ReplyEffect<KeyEvent, KeyState> held = versionFloor(command);
      return held != null ? held : commands.apply(state, command);
    };
  }

  /**
   * What {@link VersionFloor} does with {@code command}: hold a write of a first value until the
   * floor is known, take the floor's read (and let the held writes go on); null for any other command.
   */
  private ReplyEffect<KeyEvent, KeyState> versionFloor(KeyCommand command) {
    if (floor == null) {
      return null;
    } else if (floor.holds(command)) {
      return Effect().stash(); // answered when the floor is known and it runs
    } else if (command instanceof KeyCommand.FloorRead read) {
      return floor.answered(read) ? Effect().noReply().thenUnstashAll() : Effect().noReply();
    } else if (command instanceof KeyCommand.FloorRetry) {
      floor.retry();
      return Effect().noReply();
    }
    return null;
  }

  /** The version of the value written after {@code state}'s: above it, and above its primer's floor. */
  long nextVersion(KeyState state) {
    return floor == null ? state.version() + 1 : floor.next(state);
  }

  /**
   * Journals {@code written}: every write of the key goes through here, so that its time from here
   * to the journal's acknowledgement (a wait in Akka's buffer behind the key's previous write
   * included) is timed ({@code kck.journal.write}) and, while a recording asks for it, traced
   * ({@code io.kck.Persist}), and a new value is stamped with its primer's value format. The caller's
   * side effects run after these.
   */
  EffectBuilder<KeyEvent, KeyState> journal(KeyEvent written) {
    // A value is journaled with the format it is written in, whoever made the event.
    KeyEvent event = written instanceof KeyEvent.ValueStored stored && stored.format() == 0
        ? stored.migrated(stored.value(), migrations.format()) : written;
    long started = System.nanoTime();
    Traces.Persist trace = new Traces.Persist();
    trace.begin();
    return Effect().persist(event).thenRun((KeyState after) -> {
      meters.written(started);
      if (trace.shouldCommit()) {
        trace.key = key.text();
        trace.primer = key.primer().name();
        trace.event = event.getClass().getSimpleName();
        trace.version = after.version();
        trace.commit();
      }
    });
  }

  /** Journals the drop of a stored value that no longer reads as the primer's type ({@link UnreadableValue}). */
  ReplyEffect<KeyEvent, KeyState> dropUnreadable(Consumer<KeyState> then) {
    return journal(new KeyEvent.ValueDropped(now())).thenRun(then::accept).thenNoReply();
  }

  /** Journals that a caller still reads the key ({@link KeyCommand.RecordUse}). */
  ReplyEffect<KeyEvent, KeyState> recordUse() {
    return journal(new KeyEvent.KeyUsed(now())).thenRun((KeyState after) -> retention.recorded()).thenNoReply();
  }

  @Override
  public KeyState emptyState() {
    return KeyState.EMPTY;
  }

  /**
   * A delta's value is made by the augment function (again, on replay); a replayed value of an older
   * format is migrated first ({@link ValueMigrations}), and a delta is not applied to one no migration
   * read (it is dropped once the key loaded); every other event is applied by the state.
   */
  @Override
  public EventHandler<KeyState, KeyEvent> eventHandler() {
    return (state, event) -> {
      if (event instanceof KeyEvent.DeltaApplied applied) {
        bytesSinceSnapshot += applied.delta().json().length;
        return state.hasValue() && state.valueFormat() != migrations.format()
            ? state.withDelta(applied, state.value()) : deltas.applyEvent(state, applied);
      }
      if (event instanceof KeyEvent.ValueStored stored) {
        return state.apply(migrations.replayed(stored));
      }
      return state.apply(event);
    };
  }

  /** A snapshot's value of an older format is migrated as it is read ({@link ValueMigrations}); written as it is. */
  @Override
  public SnapshotAdapter<KeyState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(KeyState state) {
        return state;
      }

      @Override
      public KeyState fromJournal(Object from) {
        return migrations.snapshot((KeyState) from);
      }
    };
  }

  /**
   * Akka deletes nothing: old snapshots and the events behind them are deleted in the background
   * once a snapshot is saved ({@link JournalPurge}), so that no write waits for a deletion.
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.disabled();
  }

  /**
   * A key snapshots every {@code kck.entity.snapshot-every} events, or sooner once the values it
   * journaled since its last snapshot pass {@code snapshot-after-bytes}: each event of a new value
   * holds the whole value, so a snapshot only bounds what a restart reads back and lets the rows
   * behind it go ({@link JournalPurge}), while each one makes the write that triggered it wait for
   * a second one. A key of a primer with augment snapshots every {@code kck.augment.snapshot-every}
   * (its events are mostly small deltas) or once the deltas pass that budget, with a value to
   * snapshot.
   */
  @Override
  public boolean shouldSnapshot(KeyState state, KeyEvent event, long sequenceNr) {
    if (!deltas.supported()) {
      if (event instanceof KeyEvent.ValueStored stored) {
        bytesSinceSnapshot += Math.max(0, stored.value().encodedLength()); // journaled, so encoded
      }
      if (sequenceNr % settings.snapshotEvery() == 0 || bytesSinceSnapshot >= settings.snapshotAfterBytes()) {
        bytesSinceSnapshot = 0;
        return true;
      }
      return false;
    }
    if (sequenceNr % settings.augmentSnapshotEvery() == 0 || bytesSinceSnapshot >= settings.augmentSnapshotBytes()) {
      bytesSinceSnapshot = 0;
      return state.hasValue();
    }
    return false;
  }

  @Override
  public Optional<Integer> stashCapacity() {
    return Optional.of(settings.stashCapacity());
  }

  /** The key loaded its state from the journal. */
  abstract void onRecovered(KeyState state);

  /** The key stops, or ({@code restarting}) restarts after a journal failure (this object stays for it). */
  abstract void onStop(boolean restarting);

  @Override
  public SignalHandler<KeyState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::recovered)
        .onSignal(SnapshotCompleted.class, (state, saved) -> rows.snapshotted(saved.metadata().persistenceId()))
        .onSignal(PostStop.instance(), state -> stopped(false))
        .onSignal(RecoveryFailed.class, (state, failed) -> {
          loadFailed = true;
          retention.runtime().journalFailures().loadFailed(key.text(), failed.getFailure());
        })
        .onSignal(PreRestart.instance(), state -> stopped(true))
        .build();
  }

  private void recovered(KeyState state) {
    loadFailed = false;
    if (loading != null && loading.shouldCommit()) {
      loading.key = key.text();
      loading.primer = key.primer().name();
      loading.version = state.version();
      loading.commit();
    }
    loading = null;
    meters.recovered(loadingSince);
    if (state.version() == 0) {
      if (floor == null) {
        floor = new VersionFloor(key.text(), key.primer().name(), retention.runtime(), retention.context());
      }
      floor.loaded();
    }
    onRecovered(state);
  }

  private static Traces.Recovery loading() {
    Traces.Recovery event = new Traces.Recovery();
    event.begin();
    return event;
  }

  private void stopped(boolean restarting) {
    if (!restarting) {
      meters.stopped();
    } else {
      if (!loadFailed) {
        retention.runtime().journalFailures().writeFailed(key.text()); // a load's failure was told with its cause
      }
      loadFailed = false;
      loading = loading(); // it loads again
      loadingSince = System.nanoTime();
      bytesSinceSnapshot = 0; // the replay counts them again
    }
    retention.reset();
    if (floor != null) {
      floor.reset();
    }
    onStop(restarting);
  }
}
