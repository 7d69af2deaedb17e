package io.kck.primer;

import com.fasterxml.jackson.core.type.TypeReference;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Defines a data product without writing a class: everything a {@link Primer} subclass can say,
 * as a builder. {@link #build()} returns an ordinary primer, registered like any other.
 *
 * <pre>{@code
 * Primer<Long> tillBalance = Primer.builder("till", Long.class)
 *     .parameters(REGISTER)
 *     .compute((key, context) -> pointOfSale.readTill(key.get(REGISTER)))
 *     .freshness(Freshness.alwaysFresh())
 *     .build();
 * }</pre>
 *
 * <p>Not thread-safe; the primer it builds is immutable.
 *
 * @param <V> the value type
 */
public final class PrimerBuilder<V> {
  /** The compute of a lambda primer: {@link Primer#compute} as a function. */
  @FunctionalInterface
  public interface Compute<V> {
    /** See {@link Primer#compute}. */
    V compute(Key<V> key, ComputeContext<V> context) throws Exception;
  }

  private final String name;
  private final List<TableSource> sources = new ArrayList<>();
  private final Type valueType;
  private Parameter<?>[] parameters = new Parameter<?>[0];
  private Compute<V> compute;
  private BatchCompute<V> computeAll;
  private int batchSize;
  private Duration computeTimeout;
  private Freshness freshness = Freshness.neverExpires();
  private Propagation propagation = Propagation.EAGER;
  private List<String> dependsOn = List.of();
  private List<List<Object>> warmKeys = List.of();
  private Augment<V, ?> augment;
  private boolean computeOnMiss = true;
  private boolean keepsKeysWarm;
  private int valueFormat = 1;
  private final Map<Integer, ValueMigration<V>> migrations = new HashMap<>();
  private RefreshSchedule refreshSchedule;

  PrimerBuilder(String name, Type valueType) {
    if (!Primer.isValidPrimerName(name)) {
      throw new IllegalArgumentException("Invalid primer name '" + name + "' (parameter 'name'): use a letter, then"
          + " letters, digits, '-', '_' or '.'");
    }
    this.name = name;
    this.valueType = Objects.requireNonNull(valueType, "valueType");
  }

  /**
   * The key's parameters, in order (none by default: a primer with one key).
   *
   * @throws NullPointerException naming the parameter if the array or one of its elements is null
   */
  public PrimerBuilder<V> parameters(Parameter<?>... parameters) {
    this.parameters = noNulls(parameters, "parameters").clone();
    return this;
  }

  /** How to compute a value (required); see {@link Primer#compute}. */
  public PrimerBuilder<V> compute(Compute<V> compute) {
    this.compute = Objects.requireNonNull(compute, "compute");
    return this;
  }

  /**
   * How to compute many keys in one call; see {@link Primer#batchCompute()}. With it, {@link
   * #compute} may be left out.
   */
  public PrimerBuilder<V> computeAll(BatchCompute<V> computeAll) {
    this.computeAll = Objects.requireNonNull(computeAll, "computeAll");
    return this;
  }

  /**
   * See {@link Primer#batchSize()}.
   *
   * @throws IllegalArgumentException if {@code size} is below 1
   */
  public PrimerBuilder<V> batchSize(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("Primer '" + name + "': batchSize must be at least 1, got " + size);
    }
    this.batchSize = size;
    return this;
  }

  /** See {@link Primer#computeTimeout()}. */
  public PrimerBuilder<V> computeTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("Primer '" + name + "' needs a positive compute timeout (parameter 'timeout'),"
          + " got " + timeout);
    }
    this.computeTimeout = timeout;
    return this;
  }

  /** See {@link Primer#freshness()}. */
  public PrimerBuilder<V> freshness(Freshness freshness) {
    this.freshness = Objects.requireNonNull(freshness, "freshness");
    return this;
  }

  /** See {@link Primer#propagation()}. */
  public PrimerBuilder<V> propagation(Propagation propagation) {
    this.propagation = Objects.requireNonNull(propagation, "propagation");
    return this;
  }

  /** See {@link Primer#dependsOn()}. */
  public PrimerBuilder<V> dependsOn(String... templates) {
    this.dependsOn = List.of(noNulls(templates, "templates"));
    return this;
  }

  /** Keys to keep warm from start-up, each given by its parameter values; see {@link Primer#warmKeys()}. */
  public PrimerBuilder<V> warmKey(Object... parameterValues) {
    List<List<Object>> more = new ArrayList<>(warmKeys);
    more.add(List.of(noNulls(parameterValues, "parameterValues")));
    this.warmKeys = List.copyOf(more);
    return this;
  }

  /** See {@link Primer#augment()}. */
  public PrimerBuilder<V> augment(Augment<V, ?> augment) {
    this.augment = Objects.requireNonNull(augment, "augment");
    return this;
  }

  /** Adds a table this primer's values are made from; see {@link Primer#sources()}. */
  public PrimerBuilder<V> source(TableSource source) {
    this.sources.add(Objects.requireNonNull(source, "source"));
    return this;
  }

  /** See {@link Primer#keepsKeysWarm()}. */
  public PrimerBuilder<V> keepsKeysWarm(boolean keepsKeysWarm) {
    this.keepsKeysWarm = keepsKeysWarm;
    return this;
  }

  /** See {@link Primer#valueFormat()}; at least 1. */
  public PrimerBuilder<V> valueFormat(int format) {
    if (format < 1) {
      throw new IllegalArgumentException("Primer '" + name + "' needs a value format of 1 or more, got " + format);
    }
    this.valueFormat = format;
    return this;
  }

  /**
   * How values stored in the older {@code storedFormat} read now; see {@link Primer#migrationFrom}.
   * {@link #build()} checks that it is below the {@link #valueFormat}.
   */
  public PrimerBuilder<V> migrateFrom(int storedFormat, ValueMigration<V> migration) {
    this.migrations.put(storedFormat, Objects.requireNonNull(migration, "migration"));
    return this;
  }

  /** Refreshes the primer's warm keys on this schedule; see {@link Primer#refreshSchedule()}. */
  public PrimerBuilder<V> refreshSchedule(RefreshSchedule schedule) {
    this.refreshSchedule = Objects.requireNonNull(schedule, "schedule");
    return this;
  }

  /** See {@link Primer#computeOnMiss()}. */
  public PrimerBuilder<V> computeOnMiss(boolean computeOnMiss) {
    this.computeOnMiss = computeOnMiss;
    return this;
  }

  /**
   * The primer.
   *
   * @throws IllegalStateException if no compute was given
   * @throws IllegalArgumentException if the name, the parameters or a warm key is invalid, or a
   *     migration is not from a format below the value format
   */
  public Primer<V> build() {
    if (compute == null && computeAll == null) {
      throw new IllegalStateException("Primer '" + name + "' needs a compute function: call compute(...) or computeAll(...)");
    }
    for (int from : migrations.keySet()) {
      if (from < 1 || from >= valueFormat) {
        throw new IllegalArgumentException("Primer '" + name + "' migrates values from format " + from
            + ", but only formats 1 to " + (valueFormat - 1) + " are older than its value format " + valueFormat);
      }
    }
    LambdaPrimer<V> primer = new LambdaPrimer<>(this);
    for (List<Object> values : warmKeys) {
      primer.key(values.toArray()); // fails here, not at start-up, when a warm key does not fit
    }
    return primer;
  }

  /** {@code array}, checked to be no null and hold none. */
  private static <T> T[] noNulls(T[] array, String parameter) {
    if (array == null) {
      throw new NullPointerException("The array (parameter '" + parameter + "') is null");
    }
    for (int i = 0; i < array.length; i++) {
      if (array[i] == null) {
        throw new NullPointerException(parameter + "[" + i + "] (parameter '" + parameter + "') is null");
      }
    }
    return array;
  }

  static <V> PrimerBuilder<V> of(String name, Class<V> valueType) {
    return new PrimerBuilder<>(name, valueType);
  }

  static <V> PrimerBuilder<V> of(String name, TypeReference<V> valueType) {
    return new PrimerBuilder<>(name, Objects.requireNonNull(valueType, "valueType").getType());
  }

  /** The primer a builder makes. */
  private static final class LambdaPrimer<V> extends Primer<V> {
    private final PrimerBuilder<V> spec;

    LambdaPrimer(PrimerBuilder<V> spec) {
      super(spec.name, spec.valueType, spec.parameters, true);
      this.spec = spec;
    }

    @Override
    public V compute(Key<V> key, ComputeContext<V> context) throws Exception {
      return spec.compute != null ? spec.compute.compute(key, context) : BatchOfOne.compute(spec.computeAll, key, context);
    }

    @Override
    public Optional<BatchCompute<V>> batchCompute() {
      return Optional.ofNullable(spec.computeAll);
    }

    @Override
    public OptionalInt batchSize() {
      return spec.batchSize == 0 ? OptionalInt.empty() : OptionalInt.of(spec.batchSize);
    }

    @Override
    public Optional<Duration> computeTimeout() {
      return Optional.ofNullable(spec.computeTimeout);
    }

    @Override
    public Freshness freshness() {
      return spec.freshness;
    }

    @Override
    public Propagation propagation() {
      return spec.propagation;
    }

    @Override
    public List<String> dependsOn() {
      return spec.dependsOn;
    }

    @Override
    public List<Key<V>> warmKeys() {
      return spec.warmKeys.stream().map(values -> key(values.toArray())).toList();
    }

    @Override
    public Optional<Augment<V, ?>> augment() {
      return Optional.ofNullable(spec.augment);
    }

    @Override
    public boolean computeOnMiss() {
      return spec.computeOnMiss;
    }

    @Override
    public boolean keepsKeysWarm() {
      return spec.keepsKeysWarm;
    }

    @Override
    public int valueFormat() {
      return spec.valueFormat;
    }

    @Override
    public Optional<ValueMigration<V>> migrationFrom(int storedFormat) {
      return Optional.ofNullable(spec.migrations.get(storedFormat));
    }

    @Override
    public List<TableSource> sources() {
      return List.copyOf(spec.sources);
    }

    @Override
    public Optional<RefreshSchedule> refreshSchedule() {
      return Optional.ofNullable(spec.refreshSchedule);
    }
  }
}
