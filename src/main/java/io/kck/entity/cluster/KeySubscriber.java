package io.kck.entity.cluster;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import io.kck.entity.EntryData;
import io.kck.entity.KeyClient;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyUpdate;
import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One application subscription to a key's updates: watches the key's actor and hands each new
 * version, in order and at most once, to the application's callback (on this actor, one at a time).
 * It watches again when the key stops (passivation, rebalance) and every {@code rewatch} interval,
 * which re-attaches it after the key's node was lost; a version that came and went while it was
 * detached is not seen, the next one is.
 */
public final class KeySubscriber {
  private static final Logger log = LoggerFactory.getLogger(KeySubscriber.class);

  /** What the subscriber understands: the key's updates, a re-watch tick and the end. Local only. */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  private record Update(KeyUpdate update) implements Command {}

  private enum Rewatch implements Command {
    INSTANCE
  }

  /** Ends the subscription. */
  public enum Cancel implements Command {
    INSTANCE
  }

  private KeySubscriber() {}

  public static Behavior<Command> create(
      String key, KeyClient keys, Duration rewatch, Consumer<EntryData> callback) {
    return Behaviors.setup(context -> {
      ActorRef<KeyUpdate> self = context.messageAdapter(KeyUpdate.class, Update::new);
      // Through the key client, which sends nothing once the node shuts down: the keys stop (and
      // detach their listeners) while their shards are handed off, and a watch sent then would
      // hold the node's shutdown up.
      Consumer<KeyCommand> toKey = command -> keys.tell(key, command);
      toKey.accept(new KeyCommand.Watch(self));
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay(Rewatch.INSTANCE, rewatch);
        long[] lastVersion = {0};
        return Behaviors.receive(Command.class)
            .onMessage(Update.class, update -> {
              if (update.update() instanceof KeyUpdate.Changed changed) {
                EntryData entry = changed.entry();
                if (entry.version() > lastVersion[0]) {
                  lastVersion[0] = entry.version();
                  try {
                    callback.accept(entry);
                  } catch (RuntimeException e) {
                    log.warn("A subscriber of key '{}' threw on version {}", key, entry.version(), e);
                  }
                }
              } else if (update.update() instanceof KeyUpdate.Streamed streamed) {
                // A value too large for one message: it comes as its own update once it has arrived.
                context.pipeToSelf(keys.pull(key, streamed.entry(), streamed.value()), (entry, error) -> {
                  if (error != null) {
                    log.warn("A subscriber of key '{}' missed version {}: {}", key, streamed.entry().version(),
                        error.getMessage());
                    return Rewatch.INSTANCE;
                  }
                  return new Update(new KeyUpdate.Changed(entry));
                });
              } else {
                toKey.accept(new KeyCommand.Watch(self));
              }
              return Behaviors.same();
            })
            .onMessageEquals(Rewatch.INSTANCE, () -> {
              toKey.accept(new KeyCommand.Watch(self));
              return Behaviors.same();
            })
            .onMessageEquals(Cancel.INSTANCE, () -> {
              toKey.accept(new KeyCommand.Unwatch(self));
              return Behaviors.stopped();
            })
            .build();
      });
    });
  }
}
