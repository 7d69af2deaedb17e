package io.kck.entity;

import akka.actor.typed.PostStop;
import akka.actor.typed.PreRestart;
import akka.actor.typed.SupervisorStrategy;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import io.kck.primer.Key;
import java.util.Optional;

/**
 * How a key is journaled: its persistence id and plugins, how its events rebuild its state, when
 * it snapshots, how many requests it buffers while it loads or writes, what a journal failure does
 * to it, and the signals of its life (loaded, stopped). {@link KeyEntity} adds what it does with
 * commands.
 */
abstract class JournaledKey extends EventSourcedBehavior<KeyCommand, KeyEvent, KeyState> {

  /** KCK's persistence plugins (reference.conf): its own, apart from the application's. */
  static final String JOURNAL_PLUGIN = "kck.journal";
  static final String SNAPSHOT_PLUGIN = "kck.snapshot-store";

  private final EntitySettings settings;
  private final Deltas deltas;

  JournaledKey(Key<?> key, EntitySettings settings, Deltas deltas) {
    // A journal failure (write or recovery) restarts the key after a backoff instead of stopping
    // it: a stopped entity races with the next request, which sharding may still hand to the dead
    // actor (lost until its caller times out); a restarting one keeps its mailbox and buffer.
    super(PersistenceId.of(KeyEntity.TYPE_KEY.name(), key.text()),
        SupervisorStrategy.restartWithBackoff(settings.journalBackoffMin(), settings.journalBackoffMax(), 0.2));
    this.settings = settings;
    this.deltas = deltas;
  }

  @Override
  public KeyState emptyState() {
    return KeyState.EMPTY;
  }

  @Override
  public String journalPluginId() {
    return JOURNAL_PLUGIN;
  }

  @Override
  public String snapshotPluginId() {
    return SNAPSHOT_PLUGIN;
  }

  /** A delta's value is made by the augment function (again, on replay); every other event is applied by the state. */
  @Override
  public EventHandler<KeyState, KeyEvent> eventHandler() {
    return (state, event) -> event instanceof KeyEvent.DeltaApplied applied ? deltas.applyEvent(state, applied) : state.apply(event);
  }

  /** Keys of a primer with augment snapshot less often: their events are mostly small deltas. */
  @Override
  public RetentionCriteria retentionCriteria() {
    int every = deltas.supported() ? settings.augmentSnapshotEvery() : settings.snapshotEvery();
    return RetentionCriteria.snapshotEvery(every, settings.keepSnapshots()).withDeleteEventsOnSnapshot();
  }

  /** An augmented key also snapshots once the deltas since its last snapshot pass a byte budget. */
  @Override
  public boolean shouldSnapshot(KeyState state, KeyEvent event, long sequenceNr) {
    boolean retentionSnapshot = sequenceNr % settings.augmentSnapshotEvery() == 0;
    return deltas.snapshotDue(settings.augmentSnapshotBytes(), retentionSnapshot) && state.hasValue();
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
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .onSignal(PostStop.instance(), state -> onStop(false))
        .onSignal(PreRestart.instance(), state -> onStop(true))
        .build();
  }
}
