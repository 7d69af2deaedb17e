package io.kck.persistence;

import akka.actor.typed.BackoffSupervisorStrategy;
import akka.actor.typed.SupervisorStrategy;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import java.time.Duration;

/**
 * An event-sourced actor of KCK's: it journals to KCK's own journal and snapshot plugins ({@link
 * JournalNames}), whatever plugins the application's own actors use. Subclasses state only what
 * they journal; {@link KckEventSourcedWithReplies} is the same for actors that enforce replies
 * (Akka has two base classes, and Java lets a class extend one).
 *
 * @param <C> the commands
 * @param <E> the events
 * @param <S> the state
 */
public abstract class KckEventSourced<C, E, S> extends EventSourcedBehavior<C, E, S> {

  /** One that stops when its journal fails (Akka's default). */
  protected KckEventSourced(PersistenceId persistenceId) {
    super(persistenceId);
  }

  /** One that {@code onJournalFailure} restarts when its journal fails ({@link #restartsAfterBackoff}). */
  protected KckEventSourced(PersistenceId persistenceId, BackoffSupervisorStrategy onJournalFailure) {
    super(persistenceId, onJournalFailure);
  }

  /**
   * Restarts an actor whose journal failed after a backoff from {@code min}, doubling up to {@code
   * max}, each randomly up to 20% longer so that actors that failed together do not retry together.
   */
  public static BackoffSupervisorStrategy restartsAfterBackoff(Duration min, Duration max) {
    return SupervisorStrategy.restartWithBackoff(min, max, 0.2);
  }

  @Override
  public final String journalPluginId() {
    return JournalNames.JOURNAL_PLUGIN;
  }

  @Override
  public final String snapshotPluginId() {
    return JournalNames.SNAPSHOT_PLUGIN;
  }
}
