package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.core.type.TypeReference;
import io.kck.errors.KckException;
import io.kck.primer.Augment;
import io.kck.primer.BatchCompute;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.KeyHook;
import io.kck.primer.Primer;
import io.kck.primer.PrimerBuilder;
import io.kck.primer.Propagation;
import io.kck.primer.RefreshSchedule;
import io.kck.primer.TableSource;
import io.kck.primer.ValueFreshness;
import io.kck.primer.ValueMigration;
import io.kck.testing.LiveKeys;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every public method of the Java API ({@code Kck}, {@code KckAdmin}, {@code KckBlocking}, {@code
 * Kck.Builder} and {@code io.kck.primer}'s builders and values) called with null in each argument
 * it does not declare {@code @Nullable}, then with empty and out-of-range arguments: each call
 * fails (throws, or fails its stage) with an {@link IllegalArgumentException}, a {@link
 * NullPointerException} or a {@link KckException} whose message names the parameter, and the node
 * is as it was (no key started, computed or changed).
 */
class ApiProbeTest {
  static final io.kck.primer.Parameter<String> ID = io.kck.primer.Parameter.ofString("id");
  static final AtomicInteger computes = new AtomicInteger();
  static final Primer<String> probed = Primer.builder("probe", String.class)
      .parameters(ID)
      .compute((key, context) -> "computed " + computes.incrementAndGet())
      .augment(Augment.of(String.class, (value, more) -> value + more))
      .build();

  static ActorTestKit testKit;
  static Kck kck;
  static Key<String> key;

  @BeforeAll
  static void start() {
    testKit = TestNodes.start("ApiProbeTest", TestNodes.config());
    kck = Kck.start(testKit.system(), probed);
    key = probed.key("a");
    Stages.await(kck.put(key, "given"));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void everyNullArgumentIsRefusedByName() {
    Set<String> live = LiveKeys.of(testKit);
    long version = Stages.await(kck.getEntry(key)).version();
    Set<String> warm = Stages.await(kck.warmKeys());
    List<String> wrong = new ArrayList<>();
    int probes = 0;

    for (Map.Entry<Class<?>, Supplier<Object>> target : targets().entrySet()) {
      for (Method method : target.getKey().getMethods()) {
        if (method.getDeclaringClass() == Object.class || method.isSynthetic() || method.isBridge()
            || method.getName().equals("compute") // the application's own code, not an entry point
            || method.getName().equals("equals")) { // equals(null) is false
          continue;
        }
        Parameter[] parameters = method.getParameters();
        for (int i = 0; i < parameters.length; i++) {
          if (parameters[i].getType().isPrimitive() || parameters[i].isAnnotationPresent(Nullable.class)
              || parameters[i].getAnnotatedType().isAnnotationPresent(Nullable.class)) {
            continue;
          }
          Object[] arguments = samples(parameters);
          arguments[i] = null;
          probes++;
          check(wrong, target, method, arguments, parameters[i].getName());
          if (parameters[i].getType().isArray() && !parameters[i].getType().getComponentType().isPrimitive()) {
            Object[] withNullElement = samples(parameters);
            withNullElement[i] = Array.newInstance(parameters[i].getType().getComponentType(), 1); // [null]
            probes++;
            check(wrong, target, method, withNullElement, parameters[i].getName());
          }
        }
      }
    }

    assertEquals(List.of(), wrong, "of " + probes + " probes, these had no clear error");
    assertEquals(live, LiveKeys.of(testKit), "no probe started a key");
    assertEquals(version, Stages.await(kck.getEntry(key)).version(), "no probe changed the key");
    assertEquals(Set.of(), Set.copyOf(kck.primers().stream().filter(p -> p != probed).toList()));
    assertEquals(warm, Stages.await(kck.warmKeys()));
    assertEquals(0, computes.get(), "no probe computed");
  }

  /** Empty and out-of-range arguments, each with the parameter its error must name. */
  @Test
  void emptyAndOutOfRangeArgumentsAreRefusedByName() {
    Set<String> live = LiveKeys.of(testKit);
    Map<String, Runnable> probes = new HashMap<>();
    probes.put("within", () -> Stages.await(kck.admin().inspect(key, Duration.ZERO)));
    probes.put("within ", () -> Stages.await(kck.admin().inspect(key, Duration.ofSeconds(-1))));
    probes.put("within  ", () -> Stages.await(kck.admin().health(Duration.ofMillis(-5))));
    probes.put("within   ", () -> Stages.await(kck.admin().inspect(key, Duration.ofDays(100_000))));
    probes.put("key", () -> Stages.await(kck.get("")));
    probes.put("version", () -> Stages.await(kck.augment(key, "more", 0)));
    probes.put("version ", () -> Stages.await(kck.put(key, "other", 0)));
    probes.put("name", () -> io.kck.primer.Parameter.ofInt(""));
    probes.put("name ", () -> io.kck.primer.Parameter.ofInt("  "));
    probes.put("name  ", () -> Primer.builder("", String.class).compute((k, c) -> "").build());
    probes.put("interval", () -> Freshness.periodic(Duration.ZERO));
    probes.put("soft", () -> Freshness.maxAge(Duration.ofSeconds(-1), Duration.ofSeconds(1)));
    probes.put("timeout", () -> Primer.builder("probe-x", String.class).computeTimeout(Duration.ZERO));
    probes.put("name   ", () -> TableSource.table(""));
    probes.put("register", () -> kck.key("probe/a/b")); // one parameter too many: names the count
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Runnable> probe : probes.entrySet()) {
      String name = probe.getKey().trim();
      try {
        probe.getValue().run();
        wrong.add(probe.getKey() + ": accepted");
      } catch (RuntimeException | AssertionError e) {
        Throwable error = e instanceof AssertionError && e.getCause() != null ? e.getCause() : e;
        String message = String.valueOf(error.getMessage());
        boolean clear = error instanceof IllegalArgumentException || error instanceof KckException;
        boolean named = name.equals("register") ? message.contains("takes 1 parameter") : message.contains(name);
        if (!clear || !named) {
          wrong.add(probe.getKey() + ": " + error);
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(live, LiveKeys.of(testKit));
    assertEquals(0, computes.get());
  }

  /** Calls {@code method}; adds to {@code wrong} what it did when that was no clear error naming {@code name}. */
  private static void check(List<String> wrong, Map.Entry<Class<?>, Supplier<Object>> target, Method method,
      Object[] arguments, String name) {
    String call = target.getKey().getSimpleName() + "." + method.getName() + describe(method) + " with " + name + " null";
    Throwable error;
    try {
      Object result = method.invoke(Modifier.isStatic(method.getModifiers()) ? null : target.getValue().get(), arguments);
      if (result instanceof CompletionStage<?> stage) {
        error = failureOf(stage);
        if (error == null) {
          wrong.add(call + ": completed");
          return;
        }
      } else if (result instanceof Source<?, ?>) {
        wrong.add(call + ": gave a source");
        return;
      } else {
        wrong.add(call + ": returned " + result);
        return;
      }
    } catch (InvocationTargetException e) {
      error = e.getCause();
    } catch (IllegalAccessException e) {
      throw new AssertionError(e);
    }
    boolean clear = error instanceof NullPointerException || error instanceof IllegalArgumentException
        || error instanceof KckException;
    String message = error.getMessage();
    // The JDK's own text for a null dereference (helpful NullPointerExceptions) is no validation:
    // it names a local variable of KCK's, and is off where -XX:-ShowCodeDetailsInExceptionMessages.
    boolean jdkText = error instanceof NullPointerException && message != null && message.startsWith("Cannot ")
        && message.contains(" because ");
    if (!clear || message == null || jdkText || !message.contains(name)) {
      wrong.add(call + ": " + error);
    }
  }

  /** What {@code stage} failed with, or null when it completed. */
  private static Throwable failureOf(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no answer", e);
    }
  }

  private static String describe(Method method) {
    StringBuilder text = new StringBuilder("(");
    for (Class<?> type : method.getParameterTypes()) {
      text.append(text.length() > 1 ? ", " : "").append(type.getSimpleName());
    }
    return text.append(")").toString();
  }

  /** The API's classes, each with what its instance methods are called on (a fresh one each time). */
  private static Map<Class<?>, Supplier<Object>> targets() {
    Map<Class<?>, Supplier<Object>> targets = new java.util.LinkedHashMap<>();
    targets.put(Kck.class, () -> kck);
    targets.put(KckAdmin.class, () -> kck.admin());
    targets.put(KckBlocking.class, () -> kck.blocking());
    targets.put(Kck.Builder.class, () -> Kck.builder(testKit.system()));
    targets.put(Primer.class, () -> probed);
    targets.put(PrimerBuilder.class, () -> Primer.builder("probe-built", String.class));
    targets.put(io.kck.primer.Parameter.class, () -> ID);
    targets.put(Key.class, () -> key);
    targets.put(Freshness.class, Freshness::neverExpires);
    targets.put(Augment.class, () -> Augment.of(String.class, (String value, String more) -> value + more));
    targets.put(TableSource.class, () -> TableSource.table("probe_rows"));
    targets.put(ValueFreshness.class, () -> ValueFreshness.maxAge(Duration.ofMinutes(1)));
    targets.put(RefreshSchedule.class, () -> RefreshSchedule.cron("0 2 * * *", ZoneId.of("Europe/Berlin")));
    return targets;
  }

  /** A valid argument for each parameter. */
  private static Object[] samples(Parameter[] parameters) {
    Object[] arguments = new Object[parameters.length];
    for (int i = 0; i < parameters.length; i++) {
      arguments[i] = sample(parameters[i].getType(), parameters[i].getName());
    }
    return arguments;
  }

  private static Object sample(Class<?> type, String name) {
    if (type == String.class) {
      return name.equals("name") || name.equals("table") ? "probe_y" : "probe/a";
    }
    if (type == Key.class) {
      return key;
    }
    if (type == Primer.class) {
      return probed;
    }
    if (type == Duration.class) {
      return Duration.ofSeconds(1);
    }
    if (type == long.class) {
      return 1L;
    }
    if (type == int.class) {
      return 1;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == Class.class) {
      return String.class;
    }
    if (type == io.kck.primer.Parameter.class) {
      return ID;
    }
    if (type.isArray()) {
      Object array = Array.newInstance(type.getComponentType(), 1);
      Array.set(array, 0, type.getComponentType() == Object.class ? "a" : sample(type.getComponentType(), name));
      return array;
    }
    if (type == Collection.class || type == List.class) {
      return List.of(key);
    }
    if (type == Consumer.class) {
      return (Consumer<Object>) value -> {};
    }
    if (type == Function.class) {
      return (Function<Object, Object>) value -> null;
    }
    if (type == BiFunction.class) {
      return (BiFunction<Object, Object, Object>) (value, delta) -> value;
    }
    if (type == KeyHook.class) {
      return (KeyHook) event -> {};
    }
    if (type == Clock.class) {
      return Clock.systemUTC();
    }
    if (type == MeterRegistry.class) {
      return new SimpleMeterRegistry();
    }
    if (type == akka.actor.typed.ActorSystem.class) {
      return testKit.system();
    }
    if (type == TypeReference.class) {
      return new TypeReference<String>() {};
    }
    if (type == PrimerBuilder.Compute.class) {
      return (PrimerBuilder.Compute<Object>) (k, context) -> "x";
    }
    if (type == Freshness.class) {
      return Freshness.neverExpires();
    }
    if (type == Propagation.class) {
      return Propagation.EAGER;
    }
    if (type == Augment.class) {
      return Augment.of(String.class, (String value, String more) -> value + more);
    }
    if (type == Augment.UpstreamDeltas.class) {
      return (Augment.UpstreamDeltas<Object>) (self, input, delta) -> java.util.Optional.empty();
    }
    if (type == TableSource.class) {
      return TableSource.table("probe_rows");
    }
    if (type == TableSource.Action.class) {
      return TableSource.Action.REFRESH;
    }
    if (type == TableSource.Row.class || type == Object.class) {
      return type == Object.class ? "more" : null;
    }
    if (type == ValueFreshness.class) {
      return ValueFreshness.maxAge(Duration.ofMinutes(1));
    }
    if (type == RefreshSchedule.class) {
      return RefreshSchedule.cron("0 2 * * *", ZoneId.of("Europe/Berlin"));
    }
    if (type == RefreshSchedule.MissedTicks.class) {
      return RefreshSchedule.MissedTicks.SKIP;
    }
    if (type == Instant.class) {
      return Instant.parse("2030-01-01T00:00:00Z");
    }
    if (type == ZoneId.class) {
      return ZoneId.of("UTC");
    }
    if (type == BatchCompute.class) {
      return (BatchCompute<Object>) batch -> { };
    }
    if (type == ValueMigration.class) {
      return (ValueMigration<Object>) json -> "x";
    }
    throw new AssertionError("no sample of " + type + " for " + name);
  }
}
