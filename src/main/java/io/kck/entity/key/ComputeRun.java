package io.kck.entity.key;

import akka.actor.typed.ActorRef;
import io.kck.entity.ComputeWindow;
import io.kck.entity.KeyCommand;
import io.kck.entity.Problem;
import io.kck.entity.SourceSnapshots;
import io.kck.entity.TxnSnapshot;
import io.kck.entity.metrics.Traces;
import io.kck.entity.settings.EntitySettings;
import io.kck.errors.DependencyCycleException;
import io.kck.errors.KckException;
import io.kck.persistence.FirstComputes;
import io.kck.persistence.StoredValue;
import io.kck.persistence.ValueCodec;
import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;

/**
 * One compute of a key, as it runs on the compute pool, away from the key's actor: the primer's
 * declared reads, its {@code compute}, the check and encoding of its result. It touches no state
 * of the actor; its only ways back are the messages it sends: {@link KeyCommand.ComputeBegan} once
 * it took its snapshot of the source database (a primer with sources), then {@link
 * KeyCommand.ComputeDone}.
 */
final class ComputeRun implements Runnable {
  private final Key<Object> key;
  private final ValueCodec codec;
  private final EntitySettings settings;
  private final long attempt;
  private final long baseVersion;
  private final String wave;
  private final TrackedReads reads;
  private final ActorRef<KeyCommand> entity;
  private final String cause;
  private final String requires;
  private final SourceSnapshots snapshots;
  private final FirstComputes firstComputes;

  ComputeRun(Key<?> key, ValueCodec codec, EntitySettings settings, Attempts.Attempt attempt, TrackedReads reads, ActorRef<KeyCommand> entity,
      String cause, Map<String, Long> requires) {
    this(key, codec, settings, attempt, reads, entity, cause, requires, null, null);
  }

  /**
   * {@code snapshots}: where a compute of a primer with source tables takes the source database's
   * snapshot before it starts and after it ends ({@link ComputeWindow}); null for other primers.
   * {@code firstComputes}: where the key is marked before the first snapshot, so that the source
   * consumer sends it the changes committed after it although the key wrote nothing yet; null
   * unless the key has no rows in the journal and its primer has sources.
   */
  @SuppressWarnings("unchecked")
  ComputeRun(Key<?> key, ValueCodec codec, EntitySettings settings, Attempts.Attempt attempt, TrackedReads reads, ActorRef<KeyCommand> entity,
      String cause, Map<String, Long> requires, SourceSnapshots snapshots, FirstComputes firstComputes) {
    this.snapshots = snapshots;
    this.firstComputes = snapshots == null ? null : firstComputes;
    this.key = (Key<Object>) key;
    this.codec = codec;
    this.settings = settings;
    this.attempt = attempt.number;
    this.baseVersion = attempt.baseVersion;
    this.wave = attempt.wave == null ? null : attempt.wave.id();
    this.reads = reads;
    this.entity = entity;
    this.cause = cause;
    this.requires = requires.isEmpty() ? "" : Traces.text(requires);
  }

  /**
   * Computes with the key in the logging context (SLF4J MDC {@code kck.key}, {@code kck.primer},
   * {@code kck.attempt}, {@code kck.version}: the version it starts from, and {@code kck.wave} when
   * an upstream change caused it), so that what the primer logs names the key it computes and the
   * wave it belongs to, and as a JFR event.
   */
  @Override
  public void run() {
    Traces.Compute event = new Traces.Compute();
    event.begin();
    MDC.put("kck.key", key.text());
    MDC.put("kck.primer", key.primer().name());
    MDC.put("kck.attempt", Long.toString(attempt));
    MDC.put("kck.version", Long.toString(baseVersion));
    if (wave != null) {
      MDC.put("kck.wave", wave);
    }
    KeyCommand.ComputeDone done;
    try {
      done = firstComputes == null ? null : unmarked(firstComputes, List.of(this)).get(key.text());
      if (done == null) {
        // Before the compute's first read and after its last: which source changes its value holds.
        TxnSnapshot before = snapshots == null ? null : snapshots.now();
        began(before);
        done = compute();
        if (snapshots != null && done.value() != null) {
          done = done.within(new ComputeWindow(before, snapshots.now()));
        }
      }
    } finally {
      MDC.remove("kck.key");
      MDC.remove("kck.primer");
      MDC.remove("kck.attempt");
      MDC.remove("kck.version");
      MDC.remove("kck.wave");
    }
    if (event.shouldCommit()) {
      event.key = key.text();
      event.primer = key.primer().name();
      event.cause = cause;
      event.attempt = attempt;
      event.requires = requires;
      event.failed = done.problem() != null;
      event.wave = wave;
      event.baseVersion = baseVersion;
      event.commit();
    }
    entity.tell(done);
  }

  private KeyCommand.ComputeDone compute() {
    try {
      readDeclared();
      @SuppressWarnings("unchecked")
      Object value = key.primer().compute(key, (ComputeContext<Object>) (ComputeContext<?>) reads);
      return succeeded(value);
    } catch (Throwable t) {
      return failed(t);
    }
  }

  /**
   * Marks the first computes of {@code runs} in {@code firstComputes} (one statement), before their
   * first snapshot; answers the failure to tell each key when KCK's database refuses (then the
   * consumer could not see the key, and its value would miss what changes meanwhile), else nothing.
   */
  static Map<String, KeyCommand.ComputeDone> unmarked(FirstComputes firstComputes, List<ComputeRun> runs) {
    try {
      firstComputes.started(runs.stream().map(run -> run.key.text()).toList());
      return Map.of();
    } catch (SQLException | RuntimeException e) {
      Map<String, KeyCommand.ComputeDone> failed = new HashMap<>();
      for (ComputeRun run : runs) {
        failed.put(run.key.text(), new KeyCommand.ComputeDone(run.attempt, null, Problem.of(KckException.Kind.UNAVAILABLE,
            "Compute of key '" + run.key + "' did not start: KCK's database did not record that it is the key's first"
                + " compute (" + firstComputes.table() + "), without which changes of its source rows would not reach it: "
                + e, e), null));
      }
      return failed;
    }
  }

  /** Where its first compute is marked; null when it is not one, or its primer has no sources. */
  FirstComputes firstComputes() {
    return firstComputes;
  }

  /** Where its snapshots of the source database are taken; null for a primer without sources. */
  SourceSnapshots snapshots() {
    return snapshots;
  }

  /** The key. */
  Key<Object> key() {
    return key;
  }

  /** The key's compute context: its previous value and its tracked reads. */
  @SuppressWarnings("unchecked")
  ComputeContext<Object> context() {
    return (ComputeContext<Object>) (ComputeContext<?>) reads;
  }

  /** Reads the primer's declared dependencies of this key ({@link Primer#dependsOn()}) first. */
  void readDeclared() {
    for (String dependency : key.primer().declaredDependencies(key)) {
      reads.get(dependency);
    }
  }

  /** What to tell the key of {@code value}, once checked and encoded; a value that fails the check fails the key. */
  KeyCommand.ComputeDone succeeded(Object value) {
    Primer<Object> primer = key.primer();
    try {
      if (value == null) {
        throw new NullPointerException(primer + " returned null; a compute must return a value");
      }
      if (!codec.type().getRawClass().isInstance(value)) {
        throw new ClassCastException(primer + " returned a " + value.getClass().getName() + ", not a " + codec.type());
      }
      byte[] json;
      try {
        json = codec.encode(value, settings.maxValueBytes());
      } catch (ValueCodec.TooLarge e) {
        return new KeyCommand.ComputeDone(attempt, null, Problem.of(KckException.Kind.COMPUTE_FAILED, "Compute of key '"
            + key + "' failed: its value is " + settings.tooLarge(e.length()) + "; nothing was stored", null), null);
      }
      return new KeyCommand.ComputeDone(attempt, StoredValue.encoded(value, json), null, reads.result(),
          reads.freshness());
    } catch (Throwable t) {
      return failed(t);
    }
  }

  /** What to tell the key of the failure {@code t} of its compute. */
  KeyCommand.ComputeDone failed(Throwable t) {
    if (t instanceof VirtualMachineError error) {
      throw error;
    }
    Problem problem = t instanceof DependencyCycleException cycle
        ? Problem.of(KckException.Kind.DEPENDENCY_CYCLE, cycle.getMessage(), t)
        : Problem.of(KckException.Kind.COMPUTE_FAILED, "Compute of key '" + key + "' failed: " + t, t);
    return new KeyCommand.ComputeDone(attempt, null, problem, null);
  }

  /**
   * Tells the key the snapshot of the source database taken before the compute's first read (none
   * when the database gave none), so that a change it reads does not run it again.
   */
  void began(TxnSnapshot before) {
    if (before != null) {
      entity.tell(new KeyCommand.ComputeBegan(attempt, before));
    }
  }

  /** Tells the key how its compute ended (a batch's, which ran its keys together). */
  void deliver(KeyCommand.ComputeDone done) {
    entity.tell(done);
  }
}
