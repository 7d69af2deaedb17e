package io.kck.entity.metrics;

import io.kck.entity.compute.ComputeExecutor;
import io.kck.persistence.DatabaseHealth;
import io.kck.primer.Primer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * KCK's meters, recorded into the application's {@link MeterRegistry}: tagged by {@code primer},
 * never by key, so that the number of series stays bounded whatever keys callers ask for. Every
 * meter is made when KCK starts; recording is a counter increment or a timer record, from any
 * thread.
 */
public final class Meters {
  /** How a get was answered. */
  public enum GetOutcome {
    /** From this node's copy of a fresh entry, without asking the key's actor (local hits). */
    HIT_LOCAL,
    /** From this node's copy of a key another node owns (a primer with near-cache on). */
    HIT_NEAR,
    /** From the key's value read from the journal in bulk, without starting its actor (read tier bulk load). */
    LOADED,
    /** By the key's actor, from a fresh value. */
    HIT,
    /** With a stale value (stale-while-revalidate, stale-if-error, an input that did not answer). */
    STALE,
    /** After a compute it waited for (no value, outdated, too old, always fresh). */
    MISS,
    /** No value, and the primer or the request says not to compute one. */
    NOT_CACHED,
    /** With a failure (the key backs off after failed computes). */
    FAILED
  }

  /** Why a compute started. */
  public enum ComputeCause {
    /** A get or read found no value. */
    MISS,
    /** A get or read found the value behind its inputs, or an input changed (eager propagation). */
    INPUT_CHANGED,
    /** A get found the value past its hard age. */
    AGE,
    /** A get found the value past its soft age: refreshed in the background. */
    STALE,
    /** The primer is always fresh: each get computes. */
    ALWAYS_FRESH,
    /** A refresh request. */
    REFRESH,
    /** The periodic refresh timer. */
    TIMER,
    /** The warm-key registry woke a key without a value. */
    WARM
  }

  /** How a compute ended. */
  public enum ComputeOutcome {
    /** A new value, journaled as a new version. */
    STORED,
    /** The same value as before: journaled as confirmed, nobody told (early cutoff). */
    UNCHANGED,
    /** The primer's compute failed. */
    FAILED,
    /** It ran past its timeout and was abandoned. */
    TIMED_OUT
  }

  /** One primer's meters. */
  public static final class PrimerMeters {
    // Counted here and read by the registry when it reports: a hit costs one uncontended add,
    // whatever registries the application has (a Micrometer counter behind the global composite
    // registry cost a quarter of the hit rate), as Caffeine's stats counters are read by Micrometer.
    private final LongAdder[] gets = new LongAdder[GetOutcome.values().length];
    private final Counter[] computes = new Counter[ComputeCause.values().length];
    private final Timer[] durations = new Timer[ComputeOutcome.values().length];
    private final AtomicInteger live = new AtomicInteger();
    /** Callers waiting for a compute of one of the primer's keys on this node ({@link Attempts}). */
    public final AtomicInteger waiting = new AtomicInteger();
    /** Listeners watching the primer's keys on this node ({@link Observers}). */
    public final AtomicInteger watching = new AtomicInteger();
    private Counter readsCarried;
    private Counter readsAsked;
    private Timer recoveries;
    private Timer writes;
    private Timer lag;
    private Counter stops;

    public void get(GetOutcome outcome) {
      gets[outcome.ordinal()].increment();
    }

    public void computeStarted(ComputeCause cause) {
      computes[cause.ordinal()].increment();
    }

    public void computeEnded(ComputeOutcome outcome, long startedNanos) {
      durations[outcome.ordinal()].record(Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    /** A compute read an input: from the entry its change carried, or by asking it. */
    public void read(boolean carried) {
      (carried ? readsCarried : readsAsked).increment();
    }

    public void started() {
      live.incrementAndGet();
    }

    public void stopped() {
      live.decrementAndGet();
      stops.increment();
    }

    /** A new version of an eager key, {@code behind} its wave's origin (negative: the nodes' clocks disagree). */
    public void propagated(Duration behind) {
      lag.record(behind.isNegative() ? Duration.ZERO : behind);
    }

    public void written(long startedNanos) {
      writes.record(Duration.ofNanos(System.nanoTime() - startedNanos));
    }

    public void recovered(long startedNanos) {
      recoveries.record(Duration.ofNanos(System.nanoTime() - startedNanos));
    }
  }

  private final Map<String, PrimerMeters> primers = new HashMap<>();

  public Meters(MeterRegistry registry, Collection<? extends Primer<?>> registered, ComputeExecutor executor,
      DatabaseHealth health, AtomicInteger warmKeys) {
    for (Primer<?> primer : registered) {
      PrimerMeters meters = new PrimerMeters();
      String name = primer.name();
      for (GetOutcome outcome : GetOutcome.values()) {
        LongAdder count = new LongAdder();
        meters.gets[outcome.ordinal()] = count;
        FunctionCounter.builder("kck.gets", count, LongAdder::sum).description("Gets answered, by how")
            .tag("primer", name).tag("outcome", tag(outcome)).register(registry);
      }
      for (ComputeCause cause : ComputeCause.values()) {
        meters.computes[cause.ordinal()] = Counter.builder("kck.computes").description("Computes started, by why")
            .tag("primer", name).tag("cause", tag(cause)).register(registry);
      }
      for (ComputeOutcome outcome : ComputeOutcome.values()) {
        meters.durations[outcome.ordinal()] = Timer.builder("kck.compute.duration")
            .description("How long computes took, by how they ended")
            .tag("primer", name).tag("outcome", tag(outcome)).publishPercentiles(0.5, 0.99).register(registry);
      }
      meters.readsCarried = Counter.builder("kck.reads").description("Inputs read by computes, by how")
          .tag("primer", name).tag("how", "carried").register(registry);
      meters.readsAsked = Counter.builder("kck.reads").description("Inputs read by computes, by how")
          .tag("primer", name).tag("how", "asked").register(registry);
      Gauge.builder("kck.waiters", meters.waiting, AtomicInteger::get)
          .description("Callers waiting on this node for a compute of the primer's keys").tag("primer", name).register(registry);
      Gauge.builder("kck.subscribers", meters.watching, AtomicInteger::get)
          .description("Listeners (subscriptions, event streams) watching the primer's keys on this node")
          .tag("primer", name).register(registry);
      Gauge.builder("kck.keys.live", meters.live, AtomicInteger::get).description("Key actors running on this node")
          .tag("primer", name).register(registry);
      meters.stops = Counter.builder("kck.keys.stopped").description("Key actors stopped on this node (passivation, hand-off)")
          .tag("primer", name).register(registry);
      meters.recoveries = Timer.builder("kck.keys.recovery").description("How long keys took to load their state")
          .tag("primer", name).publishPercentiles(0.5, 0.99).register(registry);
      meters.writes = Timer.builder("kck.journal.write")
          .description("How long keys' events took to be journaled, from persist to acknowledgement")
          .tag("primer", name).publishPercentiles(0.5, 0.99).register(registry);
      meters.lag = Timer.builder("kck.propagation.lag")
          .description("How long after an upstream change its eager dependents journaled their new versions")
          .tag("primer", name).publishPercentiles(0.5, 0.99).register(registry);
      primers.put(name, meters);
    }
    Gauge.builder("kck.compute.running", executor, ComputeExecutor::running)
        .description("Computes holding a place in this node's pool").register(registry);
    Gauge.builder("kck.compute.queued", executor, ComputeExecutor::queued)
        .description("Computes waiting for a place in this node's pool").register(registry);
    Gauge.builder("kck.compute.stuck", executor, ComputeExecutor::stuck)
        .description("Computes abandoned after their timeout whose thread has not stopped").register(registry);
    Gauge.builder("kck.keys.warm", warmKeys, AtomicInteger::get)
        .description("Keys kept warm: counted by the node that hosts the warm-key registry, 0 on the others")
        .register(registry);
    Gauge.builder("kck.database.available", health, probe -> probe.available() ? 1 : 0)
        .description("1 while this node's probe reaches KCK's database, else 0").register(registry);
  }

  /** The meters of {@code primer} (registered when KCK started). */
  public PrimerMeters of(Primer<?> primer) {
    return primers.get(primer.name());
  }

  private static String tag(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
