package io.kck.primer;

import com.fasterxml.jackson.core.type.TypeReference;
import io.kck.errors.InvalidKeyException;
import io.kck.errors.InvalidParameterException;
import io.kck.errors.WrongParameterCountException;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The definition of a data product: its name, its ordered typed parameters, the type of its value
 * and how to compute it. The Java counterpart of django-kck's {@code Primer}.
 *
 * <pre>{@code
 * public final class DailySales extends Primer<SalesDay> {
 *   static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
 *   static final Parameter<LocalDate> DAY = Parameter.ofDate("day");
 *
 *   public DailySales() {
 *     super("daily-sales", SalesDay.class, REGISTER, DAY);
 *   }
 *
 *   @Override
 *   public SalesDay compute(Key<SalesDay> key, ComputeContext<SalesDay> context) throws Exception {
 *     return source.fetch(key.get(REGISTER), key.get(DAY)); // may block: JDBC, HTTP
 *   }
 * }
 * }</pre>
 *
 * <p><b>Names</b> start with a letter and use letters, digits, {@code -}, {@code _} and {@code .};
 * a key of this primer is {@code name/param1/param2...} (see {@link Key}).
 *
 * <p><b>Values</b> are stored with Jackson as the declared value type, never by class names found
 * in stored data. A value is shared by every caller that reads it: treat it as immutable.
 *
 * <p><b>Compute</b> runs on the library's compute executor, never on an actor, and may block. For
 * one key at most one compute runs at a time, however many callers wait for it. A compute that
 * throws fails every waiting caller with a {@link io.kck.errors.ComputeFailedException} carrying the
 * exception; nothing is stored. A compute that outlives its timeout is interrupted and its
 * waiters fail with a {@link io.kck.errors.ComputeTimeoutException}. A compute whose input (a
 * product it read) changes meanwhile is interrupted too, its result dropped, and its waiters get the
 * value of a new compute ({@link ComputeContext#isCancelled()}). Instances are shared across threads
 * and keys: keep them stateless, or thread-safe.
 *
 * @param <V> the type of the values this primer computes
 */
public abstract class Primer<V> {
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9_-]*)}");

  private final String name;
  private final Type valueType;
  private final List<Parameter<?>> parameters;

  /**
   * A primer of values of {@code valueType}, keyed by {@code parameters} in this order.
   *
   * @throws IllegalArgumentException if the name is not a valid primer name or two parameters share a name
   */
  protected Primer(String name, Class<V> valueType, Parameter<?>... parameters) {
    this(name, (Type) valueType, parameters);
  }

  /** For generic value types: {@code super("top", new TypeReference<List<Sale>>() {})}. */
  protected Primer(String name, TypeReference<V> valueType, Parameter<?>... parameters) {
    this(name, Objects.requireNonNull(valueType, "valueType").getType(), parameters);
  }

  /** For {@link PrimerBuilder}: the value type as a reflected type. */
  Primer(String name, Type valueType, Parameter<?>[] parameters, boolean fromBuilder) {
    this(name, valueType, parameters);
  }

  /** Whether {@code name} may name a primer (for {@link PrimerBuilder}, which checks it at once). */
  static boolean isValidPrimerName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Starts a primer defined by functions instead of a subclass; see {@link PrimerBuilder}.
   *
   * @throws IllegalArgumentException if the name is invalid
   */
  public static <V> PrimerBuilder<V> builder(String name, Class<V> valueType) {
    return PrimerBuilder.of(name, valueType);
  }

  /** For generic value types; see {@link #builder(String, Class)}. */
  public static <V> PrimerBuilder<V> builder(String name, TypeReference<V> valueType) {
    return PrimerBuilder.of(name, valueType);
  }

  private Primer(String name, Type valueType, Parameter<?>[] parameters) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Invalid primer name '" + name + "': use a letter, then letters, digits, '-', '_' or '.'");
    }
    this.name = name;
    this.valueType = Objects.requireNonNull(valueType, "valueType");
    this.parameters = List.of(parameters);
    Set<String> seen = new HashSet<>();
    for (Parameter<?> parameter : this.parameters) {
      if (!seen.add(parameter.name())) {
        throw new IllegalArgumentException(
            "Primer '" + name + "' declares parameter '" + parameter.name() + "' twice");
      }
    }
  }

  /**
   * Computes the value of {@code key}. Runs on the compute executor; may block. Must not return
   * {@code null}.
   *
   * @param key the key, with its parsed parameter values ({@link Key#get(Parameter)})
   * @param context the key's previous value, if any
   * @throws Exception any failure: the waiting callers receive it as the cause of a {@link
   *     io.kck.errors.ComputeFailedException}, and the next attempt waits for the failure backoff
   */
  public abstract V compute(Key<V> key, ComputeContext<V> context) throws Exception;

  /**
   * How long one compute may run before its callers fail with a timeout. Empty (the default)
   * means {@code kck.compute.timeout}; {@code kck.primers.<name>.compute-timeout} in HOCON
   * overrides both.
   */
  public Optional<Duration> computeTimeout() {
    return Optional.empty();
  }

  /**
   * How to compute many keys of this primer in one call (empty, the default: each key alone with
   * {@link #compute}). When present, every compute of this primer's keys goes through it, in
   * batches of at most {@link #batchSize()} keys; see {@link BatchCompute}.
   */
  public Optional<BatchCompute<V>> batchCompute() {
    return Optional.empty();
  }

  /**
   * The most keys one {@link #batchCompute()} call gets. Empty (the default) means {@code
   * kck.batch.size}; {@code kck.primers."<name>".batch-size} in HOCON overrides both.
   */
  public OptionalInt batchSize() {
    return OptionalInt.empty();
  }

  /**
   * How this primer's values stay fresh; {@link Freshness#neverExpires()} unless overridden.
   * {@code kck.primers."<name>".freshness} in HOCON takes precedence.
   */
  public Freshness freshness() {
    return Freshness.neverExpires();
  }

  /**
   * Keys of this primer to keep warm from start-up, before anyone asks: computed when KCK starts
   * and, with a {@link Freshness.Periodic} policy, refreshed by their timers from then on, across
   * passivation and restarts. Empty by default; {@link io.kck.Kck#keepWarm} adds keys at run time.
   */
  public List<Key<V>> warmKeys() {
    return List.of();
  }

  /**
   * When this primer's warm keys (see {@link #warmKeys()}, {@link #keepsKeysWarm()}, {@link
   * io.kck.Kck#keepWarm}) are refreshed by the calendar, for example every day at 02:00 in
   * Europe/Berlin: once per tick in the whole cluster. Empty (the default): no schedule. {@code
   * kck.primers."<name>".refresh-schedule} in HOCON takes precedence. See {@link RefreshSchedule}.
   */
  public Optional<RefreshSchedule> refreshSchedule() {
    return Optional.empty();
  }

  /**
   * Whether every key of this primer joins the warm set once it has a value (false, the default):
   * woken through sharding every {@code kck.freshness.wake-interval}, kept in memory, and (with a
   * {@link Freshness.Periodic} policy) refreshed by its timer across passivation and restarts,
   * whether or not anybody asks. Say yes only for primers whose keys are few or known: the warm set
   * is capped ({@code kck.freshness.max-warm-keys}), and past the cap a key's value is stored but
   * the key is not kept warm. Without it, keys join only through {@link #warmKeys()} and {@link
   * io.kck.Kck#keepWarm}. {@code kck.primers."<name>".keep-warm} in HOCON takes precedence.
   */
  public boolean keepsKeysWarm() {
    return false;
  }

  /**
   * How this primer's keys react when a product they read changes: {@link Propagation#EAGER}
   * (the default) recomputes at once, {@link Propagation#LAZY} marks the value outdated and
   * recomputes on the next get. {@code kck.primers."<name>".propagation} in HOCON takes precedence.
   */
  public Propagation propagation() {
    return Propagation.EAGER;
  }

  /**
   * Whether a get of a key without a value computes it (true, the default) or fails at once with
   * {@link io.kck.errors.NotCachedException} (django-kck's {@code prime_on_cache_miss = False}): for
   * products that only a put, a warm-up or a refresh may make. Reads from other products' computes
   * follow the same rule. {@code kck.primers."<name>".compute-on-miss} in HOCON takes precedence;
   * {@link io.kck.Kck#getIfPresent} never computes, whatever the primer says.
   */
  public boolean computeOnMiss() {
    return true;
  }

  /**
   * How this primer's values can be updated in place by deltas ({@link io.kck.Kck#augment}),
   * instead of recomputed. Empty (the default): augmenting its keys fails with {@link
   * io.kck.errors.InvalidValueException}.
   */
  public Optional<Augment<V, ?>> augment() {
    return Optional.empty();
  }

  /**
   * The format of this primer's stored values: 1 (the default) until a release changes the value
   * type so that JSON stored before no longer reads as it (a field renamed, retyped or split, another
   * class). Raise it then, and give {@link #migrationFrom} for each older format whose values must
   * survive: a value that came from a {@code put} or an {@code augment} exists nowhere else. Every
   * value is journaled with the format it was written in; values journaled before KCK recorded formats
   * are format 1.
   */
  public int valueFormat() {
    return 1;
  }

  /**
   * How a value stored in {@code storedFormat} (below {@link #valueFormat()}) reads as this primer's
   * value type now; empty (the default) when it does not, and then the key drops the stored value,
   * logs it, and computes anew (see {@link ValueMigration}).
   */
  public Optional<ValueMigration<V>> migrationFrom(int storedFormat) {
    return Optional.empty();
  }

  /**
   * The tables of PostgreSQL this primer's values are made from, and what a committed change of a
   * row does to the keys made from it (outdate, refresh or augment them): see {@link TableSource}
   * and docs/sources.md. Empty by default; KCK follows no table (and creates no replication slot)
   * unless a primer declares one.
   */
  public List<TableSource> sources() {
    return List.of();
  }

  /**
   * Keys every compute of this primer depends on, as templates: key texts in which {@code
   * {param}} stands for the formatted value of this key's parameter {@code param}, for example
   * {@code "register-day/{store}-1/{day}"}. Before each compute, KCK reads them through the
   * compute's context (so they are recorded as edges, and computed first when missing), whether
   * or not the compute reads them itself. Empty by default: most primers only read what they need
   * with {@link ComputeContext#get}.
   */
  public List<String> dependsOn() {
    return List.of();
  }

  /**
   * The {@link #dependsOn()} templates filled in with {@code key}'s parameters.
   *
   * @throws IllegalArgumentException if a template names a parameter this primer does not have
   */
  public final List<String> declaredDependencies(Key<V> key) {
    Objects.requireNonNull(key, "key");
    List<String> templates = dependsOn();
    if (templates.isEmpty()) {
      return List.of();
    }
    List<String> keys = new ArrayList<>(templates.size());
    for (String template : templates) {
      StringBuilder text = new StringBuilder();
      Matcher placeholder = PLACEHOLDER.matcher(template);
      while (placeholder.find()) {
        String parameterName = placeholder.group(1);
        int index = -1;
        for (int i = 0; i < parameters.size(); i++) {
          if (parameters.get(i).name().equals(parameterName)) {
            index = i;
          }
        }
        if (index < 0) {
          throw new IllegalArgumentException(
              "Primer '" + name + "' depends on '" + template + "', but has no parameter '"
                  + parameterName + "' (it declares " + parameters + ")");
        }
        String formatted = KeyText.encode(parameters.get(index).formatObject(key.values().get(index)));
        placeholder.appendReplacement(text, Matcher.quoteReplacement(formatted));
      }
      placeholder.appendTail(text);
      keys.add(text.toString());
    }
    return keys;
  }

  /** The primer's name: the first segment of its keys. */
  public final String name() {
    return name;
  }

  /** The declared value type, as given to the constructor. */
  public final Type valueType() {
    return valueType;
  }

  /** The parameters, in the order they appear in keys. */
  public final List<Parameter<?>> parameters() {
    return parameters;
  }

  /**
   * Builds the key for these parameter values, in declaration order.
   *
   * @throws WrongParameterCountException if the number of values differs from the parameters
   * @throws InvalidParameterException if a value is null or not of its parameter's type
   * @throws InvalidKeyException if {@code values} itself is null
   */
  public final Key<V> key(Object... values) {
    if (values == null) {
      throw new InvalidKeyException(name, "Invalid key of primer '" + name + "': the parameter values (parameter"
          + " 'values') are null; it takes " + parameters.size() + " parameter(s) " + parameters);
    }
    String shown = name + Arrays.toString(values);
    if (values.length != parameters.size()) {
      throw countMismatch(shown, shown, values.length);
    }
    StringBuilder text = new StringBuilder(name);
    for (int i = 0; i < values.length; i++) {
      Parameter<?> parameter = parameters.get(i);
      Object value = values[i];
      if (!parameter.type().isInstance(value)) {
        throw new InvalidParameterException(
            shown,
            parameter.name(),
            "Invalid key " + shown + ": parameter '" + parameter.name() + "' (values[" + i + "]) needs a "
                + parameter.type().getSimpleName() + ", got "
                + (value == null ? "null" : value.getClass().getSimpleName() + " " + value),
            null);
      }
      text.append(KeyText.SEPARATOR).append(encodeSegment(shown, parameter, parameter.formatObject(value)));
    }
    return checkedLength(new Key<>(this, List.of(values), text.toString()));
  }

  /**
   * Parses the text form of a key of this primer and returns it in canonical form.
   *
   * @throws InvalidKeyException if the text names another primer, has the wrong number of
   *     parameters, or a parameter does not parse
   */
  final Key<V> parseKey(String text) {
    return parseSegments(text, KeyText.split(text));
  }

  Key<V> parseSegments(String text, List<String> segments) {
    if (!segments.get(0).equals(name)) {
      throw new InvalidKeyException(
          text, "Invalid key '" + text + "': it names primer '" + segments.get(0) + "', not '" + name + "'");
    }
    if (segments.size() - 1 != parameters.size()) {
      throw countMismatch(text, "'" + text + "'", segments.size() - 1);
    }
    List<Object> values = new ArrayList<>(parameters.size());
    StringBuilder canonical = new StringBuilder(name);
    for (int i = 0; i < parameters.size(); i++) {
      Parameter<?> parameter = parameters.get(i);
      String segment = segments.get(i + 1);
      Object value = parseSegment(text, parameter, segment);
      values.add(value);
      canonical.append(KeyText.SEPARATOR)
          .append(encodeSegment(text, parameter, parameter.formatObject(value)));
    }
    // The caller's own string when it is already canonical: it becomes the entity id, and the
    // key's actor (which parses its id) files its read-tier entry under it, so a caller that keeps
    // the string or its Key finds the entry by reference, not by comparing characters.
    String canonicalText = canonical.toString();
    return checkedLength(new Key<>(this, values, canonicalText.equals(text) ? text : canonicalText));
  }

  private Object parseSegment(String text, Parameter<?> parameter, String segment) {
    if (segment.isEmpty()) {
      throw new InvalidParameterException(
          text, parameter.name(),
          "Invalid key '" + text + "': parameter '" + parameter.name() + "' is empty", null);
    }
    String decoded;
    try {
      decoded = KeyText.decode(segment);
    } catch (IllegalArgumentException e) {
      throw new InvalidParameterException(
          text, parameter.name(),
          "Invalid key '" + text + "': parameter '" + parameter.name() + "' has " + e.getMessage(), e);
    }
    try {
      return parameter.parse(decoded);
    } catch (RuntimeException e) {
      throw new InvalidParameterException(
          text, parameter.name(),
          "Invalid key '" + text + "': parameter '" + parameter.name() + "' does not parse as "
              + parameter.type().getSimpleName() + " from '" + decoded + "'"
              + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
          e);
    }
  }

  private static String encodeSegment(String shown, Parameter<?> parameter, String formatted) {
    if (formatted == null || formatted.isEmpty()) {
      throw new InvalidParameterException(
          shown, parameter.name(),
          "Invalid key " + shown + ": parameter '" + parameter.name() + "' formats to an empty text",
          null);
    }
    return KeyText.encode(formatted);
  }

  private Key<V> checkedLength(Key<V> key) {
    if (key.text().length() > KeyText.MAX_LENGTH) {
      throw new InvalidKeyException(
          key.text(),
          "Invalid key '" + key.text() + "': its canonical form has " + key.text().length()
              + " characters, more than the " + KeyText.MAX_LENGTH + " a key may have");
    }
    return key;
  }

  private WrongParameterCountException countMismatch(String key, String shown, int given) {
    return new WrongParameterCountException(
        key,
        "Invalid key " + shown + ": primer '" + name + "' takes " + parameters.size()
            + " parameter(s) " + parameters + ", got " + given);
  }

  @Override
  public String toString() {
    return "Primer(" + name + parameters + ")";
  }
}
