package io.kck.bench;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The least an event-sourced write costs on a journal: a plain {@link EventSourcedBehavior} that
 * persists each value it is given as a string event and replies, with no snapshots, no sharding
 * and no KCK. The benchmark sets a {@code put} beside it, on KCK's own journal and on Akka
 * Persistence JDBC's, to show what KCK adds to its journal and what each journal adds to a raw
 * upsert.
 */
final class BareJournalWriter extends EventSourcedBehavior<BareJournalWriter.Write, String, String> {

  /** Journal {@code value}, then tell {@code replyTo}. */
  record Write(String value, ActorRef<Done> replyTo) {}

  private final String journal;
  private final String snapshots;

  BareJournalWriter(String persistenceId, String journal, String snapshots) {
    super(PersistenceId.ofUniqueId(persistenceId));
    this.journal = journal;
    this.snapshots = snapshots;
  }

  @Override
  public String emptyState() {
    return "";
  }

  @Override
  public CommandHandler<Write, String, String> commandHandler() {
    return (state, write) -> Effect().persist(write.value()).thenReply(write.replyTo(), after -> Done.getInstance());
  }

  @Override
  public EventHandler<String, String> eventHandler() {
    return (state, event) -> event;
  }

  @Override
  public String journalPluginId() {
    return journal;
  }

  @Override
  public String snapshotPluginId() {
    return snapshots;
  }
}
