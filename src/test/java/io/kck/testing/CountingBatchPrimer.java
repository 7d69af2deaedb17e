package io.kck.testing;

import io.kck.primer.Batch;
import io.kck.primer.BatchCompute;
import io.kck.primer.ComputeContext;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A primer that computes only in batches ({@link #compute} throws): it records every batch call
 * (the keys it got) and how often each key was computed, so a test sees that keys went through
 * batches and that none was computed twice. Its behaviour per batch is set by the test; by default
 * each key's value is {@code "value of <id>"}. Several instances (one per node) may share one
 * count of computes per key.
 */
public class CountingBatchPrimer extends Primer<String> {
  public static final Parameter<String> ID = Parameter.ofString("id");

  /** What one batch call does; answers each key through the batch. */
  @FunctionalInterface
  public interface Body {
    void compute(Batch<String> batch) throws Exception;
  }

  private final List<List<String>> batches = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> computes;
  private final Freshness freshness;
  private volatile Body body = batch -> {
    for (Key<String> key : batch.keys()) {
      batch.complete(key, "value of " + key.get(ID));
    }
  };

  public CountingBatchPrimer(String name) {
    this(name, Freshness.neverExpires(), new ConcurrentHashMap<>());
  }

  /** With a freshness policy, counting computes into {@code computes} (shared with other nodes' instances). */
  public CountingBatchPrimer(String name, Freshness freshness, Map<String, AtomicInteger> computes) {
    super(name, String.class, ID);
    this.freshness = freshness;
    this.computes = computes;
  }

  public CountingBatchPrimer body(Body body) {
    this.body = body;
    return this;
  }

  /** Batch calls so far. */
  public int calls() {
    return batches.size();
  }

  /** The ids of the keys of each batch call so far, in call order. */
  public List<List<String>> batches() {
    return List.copyOf(batches);
  }

  /** How often {@code id}'s key was computed (in any batch, on any node sharing the count). */
  public int computes(String id) {
    AtomicInteger count = computes.get(id);
    return count == null ? 0 : count.get();
  }

  /** Keys computed more than once, with their counts. */
  public Map<String, Integer> computedTwice() {
    Map<String, Integer> twice = new TreeMap<>();
    computes.forEach((id, count) -> {
      if (count.get() > 1) {
        twice.put(id, count.get());
      }
    });
    return twice;
  }

  @Override
  public Optional<BatchCompute<String>> batchCompute() {
    return Optional.of(batch -> {
      List<String> ids = new ArrayList<>();
      for (Key<String> key : batch.keys()) {
        ids.add(key.get(ID));
        computes.computeIfAbsent(key.get(ID), id -> new AtomicInteger()).incrementAndGet();
      }
      batches.add(List.copyOf(ids));
      body.compute(batch);
    });
  }

  @Override
  public Freshness freshness() {
    return freshness;
  }

  @Override
  public String compute(Key<String> key, ComputeContext<String> context) {
    throw new UnsupportedOperationException(this + " computes only in batches; KCK called compute for '" + key + "'");
  }
}
