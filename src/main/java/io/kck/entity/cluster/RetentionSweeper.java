package io.kck.entity.cluster;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import io.kck.entity.KeyClient;
import io.kck.entity.KeyNames;
import io.kck.entity.SweepReport;
import io.kck.entity.WarmKeys;
import io.kck.entity.settings.EntitySettings;
import io.kck.entity.settings.RetentionPolicy;
import io.kck.persistence.JournalPosition;
import io.kck.persistence.JournalRows;
import io.kck.persistence.KckSerializable;
import io.kck.primer.Primer;
import io.kck.primer.internal.PrimerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

/**
 * Finds keys nobody wants and asks each to forget itself ({@link KeyCommand.Forget}): every {@code
 * kck.retention.sweep-interval}, and when asked ({@code KckAdmin.forgetUnused}). A cluster
 * singleton, so that one node does the work.
 *
 * <p>A sweep walks the journal's keys in pages of {@code sweep-page-rows} rows (in the order of the
 * event table's primary key, one bounded statement each) for keys of primers with a retention none
 * of whose rows was written within {@code forget-after} (the journal's write times; a read journals
 * a use now and then, so a key that is read is written too), leaves out the warm keys, and asks at
 * most {@code max-per-sweep} of them, a few at a time. The walk resumes where the last sweep
 * stopped, and goes round the journal at most once per sweep. Each key then decides by its own
 * state ({@link Retention}): the walk only narrows down whom to ask. One sweep runs at a time; a request that
 * arrives during one gets that sweep's result.
 */
public final class RetentionSweeper {

  public sealed interface Command {}

  /** Sweep now; {@code replyTo} (may be null) hears what the sweep did. */
  public record Sweep(ActorRef<SweepReport> replyTo) implements Command, KckSerializable {}

  private record Finished(SweepReport result) implements Command, NoSerializationVerificationNeeded {}

  private static final int PARALLELISM = 4;

  private final PrimerRegistry primers;
  private final EntitySettings settings;
  private final KeyClient client;
  private final JournalRows rows;
  private final ActorRef<WarmKeys.Command> warmKeys;
  private final Clock clock;
  private final int maxPerSweep;
  private final int pageRows;
  private final Consumer<String> onForgotten;
  private final ActorSystem<?> system;
  private final List<ActorRef<SweepReport>> waiting = new ArrayList<>();
  private boolean sweeping;
  // Where the next sweep's walk starts (empty: the journal's start). Only the sweep in progress
  // reads and writes it, on the query thread's callbacks, one after the other.
  private volatile Optional<JournalPosition> resumeAt = Optional.empty();

  private RetentionSweeper(ActorSystem<?> system, PrimerRegistry primers, EntitySettings settings,
      KeyClient client, JournalRows rows, ActorRef<WarmKeys.Command> warmKeys, Clock clock, int maxPerSweep,
      int pageRows, Consumer<String> onForgotten) {
    this.system = system;
    this.primers = primers;
    this.settings = settings;
    this.client = client;
    this.rows = rows;
    this.warmKeys = warmKeys;
    this.clock = clock;
    this.maxPerSweep = maxPerSweep;
    this.pageRows = pageRows;
    this.onForgotten = onForgotten;
  }

  public static Behavior<Command> create(PrimerRegistry primers, EntitySettings settings, KeyClient client, JournalRows rows,
      ActorRef<WarmKeys.Command> warmKeys, Clock clock, Duration interval, int maxPerSweep, int pageRows,
      Consumer<String> onForgotten) {
    return Behaviors.setup(context -> Behaviors.withTimers((TimerScheduler<Command> timers) -> {
      timers.startTimerWithFixedDelay(new Sweep(null), interval);
      RetentionSweeper sweeper = new RetentionSweeper(context.getSystem(), primers, settings, client, rows, warmKeys,
          clock, maxPerSweep, pageRows, onForgotten);
      return Behaviors.receive(Command.class)
          .onMessage(Sweep.class, sweep -> {
            if (sweep.replyTo() != null) {
              sweeper.waiting.add(sweep.replyTo());
            }
            if (!sweeper.sweeping) {
              sweeper.sweeping = true;
              context.pipeToSelf(sweeper.sweep(), (result, error) -> new Finished(error == null ? result : failedSweep(context, error)));
            }
            return Behaviors.same();
          })
          .onMessage(Finished.class, finished -> {
            sweeper.sweeping = false;
            sweeper.waiting.forEach(replyTo -> replyTo.tell(finished.result()));
            sweeper.waiting.clear();
            return Behaviors.same();
          })
          .build();
    }));
  }

  private static SweepReport failedSweep(ActorContext<Command> context, Throwable error) {
    context.getLog().warn("A retention sweep failed; the next one tries again: {}", error.toString());
    return new SweepReport(0, 0, 1);
  }

  private CompletionStage<SweepReport> sweep() {
    CompletionStage<Set<String>> warm = AskPattern.<WarmKeys.Command, WarmKeys.Listed>ask(warmKeys, WarmKeys.GetKeys::new,
        Duration.ofSeconds(10), system.scheduler()).thenApply(WarmKeys.Listed::keys);
    return warm.thenCompose(warmSet -> {
      Map<String, Long> cutoffs = new HashMap<>(); // per primer with a retention: unwritten since when
      for (Primer<?> primer : primers.primers()) {
        RetentionPolicy policy = settings.of(primer).retention();
        if (policy.forgets()) {
          cutoffs.put(primer.name(), clock.instant().minus(policy.forgetAfter()).toEpochMilli());
        }
      }
      if (cutoffs.isEmpty()) {
        return CompletableFuture.completedFuture(new SweepReport(0, 0, 0));
      }
      ToLongFunction<String> cutoffOf = key -> warmSet.contains(key)
          ? Long.MIN_VALUE
          : cutoffs.getOrDefault(KeyNames.primerName(key), Long.MIN_VALUE);
      return walk(cutoffOf, resumeAt, resumeAt, false, new ArrayList<>()).thenCompose(this::askEach);
    });
  }

  /**
   * Walks the journal's keys a page at a time from {@code after}, gathering candidates until
   * {@code max-per-sweep} are found or the walk is back where it started ({@code start}): to the
   * end of the journal, then from its beginning up to {@code start}. The next sweep resumes where
   * this one stopped, so every key is reached however many candidates come before it.
   */
  private CompletionStage<List<String>> walk(ToLongFunction<String> cutoffOf, Optional<JournalPosition> start,
      Optional<JournalPosition> after, boolean wrapped, List<String> found) {
    Optional<JournalPosition> until = wrapped ? start : Optional.empty();
    return rows.unwrittenSince(cutoffOf, after, until, maxPerSweep - found.size(), pageRows).thenCompose(page -> {
      found.addAll(page.keys());
      if (found.size() >= maxPerSweep) {
        resumeAt = page.next();
        return CompletableFuture.completedFuture(found);
      }
      if (page.next().isPresent()) {
        return walk(cutoffOf, start, page.next(), wrapped, found);
      }
      if (!wrapped && start.isPresent()) {
        return walk(cutoffOf, start, Optional.empty(), true, found);
      }
      return CompletableFuture.completedFuture(found); // the whole journal: the next sweep starts where this one did
    });
  }

  /**
   * Asks each key, in {@link #PARALLELISM} lanes that each ask one key after the other: never
   * blocking a thread (the keys delete their rows on the thread that found them).
   */
  private CompletionStage<SweepReport> askEach(List<String> keys) {
    int[] counts = new int[3];
    List<CompletableFuture<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < PARALLELISM; lane++) {
      CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
      for (int i = lane; i < keys.size(); i += PARALLELISM) {
        String key = keys.get(i);
        chain = chain.thenCompose(previous -> client.forget(key).toCompletableFuture().handle((retention, error) -> {
          synchronized (counts) {
            if (error != null) {
              counts[2]++;
            } else if (retention.forgotten()) {
              counts[0]++;
              onForgotten.accept(key);
            } else {
              counts[1]++;
            }
          }
          return null;
        }));
      }
      lanes.add(chain);
    }
    return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).thenApply(done -> {
      synchronized (counts) {
        return new SweepReport(counts[0], counts[1], counts[2]);
      }
    });
  }
}
