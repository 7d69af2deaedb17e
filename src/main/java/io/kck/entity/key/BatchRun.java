package io.kck.entity.key;

import io.kck.entity.ComputeWindow;
import io.kck.entity.KeyCommand;
import io.kck.entity.SourceSnapshots;
import io.kck.entity.TxnSnapshot;
import io.kck.entity.compute.ComputeExecutor;
import io.kck.primer.Batch;
import io.kck.primer.BatchCompute;
import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.MDC;

/**
 * One batch compute, as it runs on the compute pool: each key's declared reads, the primer's
 * {@link BatchCompute}, and the answer of each key, sent to each key's actor as its own {@link
 * KeyCommand.ComputeDone}. A key whose declared read fails, that the compute fails or leaves
 * unanswered fails alone; the others are stored by their keys, each journaling its own value.
 * What the compute sees as the {@link Batch}; it touches no state of any actor.
 */
final class BatchRun implements Runnable, Batch<Object> {
  private final Primer<Object> primer;
  private final BatchCompute<Object> compute;
  private final Map<String, ComputeRun> runs = new LinkedHashMap<>();
  private final Map<String, KeyCommand.ComputeDone> answers = new ConcurrentHashMap<>();
  private volatile List<Key<Object>> keys = List.of();
  private volatile boolean over;
  /** Set by the lane that submitted it, under its lock. */
  ComputeExecutor.Task task;
  /** Keys of it abandoned (timed out, stopped); guarded by the lane. */
  int cancelled;

  BatchRun(Primer<Object> primer, BatchCompute<Object> compute, List<ComputeRun> runs) {
    this.primer = primer;
    this.compute = compute;
    for (ComputeRun run : runs) {
      this.runs.put(run.key().text(), run);
    }
  }

  int size() {
    return runs.size();
  }

  /**
   * Computes with the primer and the batch's size in the logging context (SLF4J MDC {@code
   * kck.primer}, {@code kck.batch}), then tells every key its answer.
   */
  @Override
  public void run() {
    MDC.put("kck.primer", primer.name());
    MDC.put("kck.batch", Integer.toString(runs.size()));
    SourceSnapshots snapshots = runs.values().iterator().next().snapshots(); // one primer: all or none
    ComputeWindow window = null;
    try {
      markFirstComputes();
      TxnSnapshot before = snapshots == null ? null : snapshots.now(); // once for the whole batch
      for (ComputeRun run : runs.values()) {
        if (!answers.containsKey(run.key().text())) { // not failed already: its first compute was marked
          run.began(before);
        }
      }
      computeAll();
      window = snapshots == null ? null : new ComputeWindow(before, snapshots.now());
    } finally {
      over = true;
      MDC.remove("kck.primer");
      MDC.remove("kck.batch");
    }
    for (ComputeRun run : runs.values()) {
      KeyCommand.ComputeDone done = answers.get(run.key().text());
      if (done != null && done.value() != null && window != null) {
        done = done.within(window);
      }
      run.deliver(done != null ? done : run.failed(new IllegalStateException("The batch compute of " + primer
          + " gave no value for key '" + run.key() + "' (it answered " + answers.size() + " of " + runs.size()
          + " keys)")));
    }
  }

  /** Marks the keys of the batch whose compute is their first, in one statement: those keys fail if it fails. */
  private void markFirstComputes() {
    List<ComputeRun> first = runs.values().stream().filter(run -> run.firstComputes() != null).toList();
    if (!first.isEmpty()) {
      answers.putAll(ComputeRun.unmarked(first.get(0).firstComputes(), first));
    }
  }

  private void computeAll() {
    List<Key<Object>> ready = new ArrayList<>(runs.size());
    for (ComputeRun run : runs.values()) {
      if (answers.containsKey(run.key().text())) {
        continue; // failed already: its first compute could not be marked
      }
      try {
        run.readDeclared();
        ready.add(run.key());
      } catch (Throwable t) {
        answers.put(run.key().text(), run.failed(t));
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    keys = List.copyOf(ready);
    try {
      compute.computeAll(this);
    } catch (Throwable t) {
      for (Key<Object> key : ready) {
        ComputeRun run = runs.get(key.text());
        answers.computeIfAbsent(key.text(), text -> run.failed(t)); // rethrows a VirtualMachineError
      }
    }
  }

  @Override
  public List<Key<Object>> keys() {
    return keys;
  }

  @Override
  public ComputeContext<Object> context(Key<Object> key) {
    return run(key).context();
  }

  @Override
  public void complete(Key<Object> key, Object value) {
    ComputeRun run = run(key);
    if (value == null) {
      throw new IllegalArgumentException("The value of key '" + key + "' is null; a compute must give a value");
    }
    answer(key, run.succeeded(value));
  }

  @Override
  public void fail(Key<Object> key, Exception failure) {
    ComputeRun run = run(key);
    if (failure == null) {
      throw new IllegalArgumentException("The failure of key '" + key + "' (parameter 'failure') is null");
    }
    answer(key, run.failed(failure));
  }

  private void answer(Key<Object> key, KeyCommand.ComputeDone done) {
    if (over) {
      throw new IllegalStateException("The batch of key '" + key + "' is over: answer within computeAll");
    }
    if (answers.putIfAbsent(key.text(), done) != null) {
      throw new IllegalStateException("Key '" + key + "' of this batch was answered already");
    }
  }

  private ComputeRun run(Key<Object> key) {
    ComputeRun run = key == null ? null : runs.get(key.text());
    if (run == null) {
      throw new IllegalArgumentException("Key '" + key + "' is not in this batch of " + primer + " (" + keys.size()
          + " keys)");
    }
    return run;
  }
}
