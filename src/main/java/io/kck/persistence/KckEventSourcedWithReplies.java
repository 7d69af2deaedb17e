package io.kck.persistence;

import akka.actor.typed.BackoffSupervisorStrategy;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;

/**
 * {@link KckEventSourced} for an actor that enforces a reply to every request: it journals to KCK's
 * own journal and snapshot plugins ({@link JournalNames}).
 *
 * @param <C> the commands
 * @param <E> the events
 * @param <S> the state
 */
public abstract class KckEventSourcedWithReplies<C, E, S> extends EventSourcedBehaviorWithEnforcedReplies<C, E, S> {

  /** One that {@code onJournalFailure} restarts when its journal fails ({@link KckEventSourced#restartsAfterBackoff}). */
  protected KckEventSourcedWithReplies(PersistenceId persistenceId, BackoffSupervisorStrategy onJournalFailure) {
    super(persistenceId, onJournalFailure);
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
