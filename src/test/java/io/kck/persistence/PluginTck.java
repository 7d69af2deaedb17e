package io.kck.persistence;

import akka.actor.ActorSystem;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import com.typesafe.config.Config;
import io.kck.testing.TestNodes;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;
import org.scalatest.Args;
import org.scalatest.Args$;
import org.scalatest.Suite;
import org.scalatest.events.Event;
import org.scalatest.events.SuiteAborted;
import org.scalatest.events.TestCanceled;
import org.scalatest.events.TestFailed;
import org.scalatest.events.TestIgnored;
import org.scalatest.events.TestPending;
import org.scalatest.events.TestSucceeded;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What {@link JournalTckTest} and {@link SnapshotStoreTckTest} share: the configuration of the
 * TCK's ActorSystem, which names only KCK's plugin ids, the tables the plugins need, and the run
 * of a TCK suite as one JUnit test per case.
 */
final class PluginTck {
  static final String JOURNAL = "kck.journal";
  static final String SNAPSHOT_STORE = "kck.snapshot-store";

  private PluginTck() {}

  /**
   * The TCK's configuration on a fresh database of its own. Left unresolved and without
   * reference.conf on purpose: the TCK puts its own settings (publish-plugin-commands = on, a
   * serializer for its TestPayload) under this configuration, and the ActorSystem puts every
   * reference.conf (KCK's plugin blocks among them) under both.
   */
  static Config config(String database) {
    return TestNodes.config(TestNodes.ownDatabase(database)
        + """
        akka.persistence.journal.plugin = "%s"
        akka.persistence.snapshot-store.plugin = "%s"
        # The TCK waits 3 s (Akka's default) for each reply; the first write opens the pool, and
        # this machine is shared. Longer only slows down a failure, it passes nothing more.
        akka.test.single-expect-default = 10s
        """.formatted(JOURNAL, SNAPSHOT_STORE));
  }

  /**
   * Creates the journal and snapshot tables in the TCK's database, as KCK does at start-up, before
   * the first case writes: KCK's plugins keep Akka Persistence JDBC's tables, made by its schema script.
   */
  static void createTables(ActorSystem system) {
    try {
      SchemaUtils.createIfNotExists(JOURNAL, system).toCompletableFuture().get(1, TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot create the journal's tables for the TCK", e);
    }
  }

  /**
   * Runs the TCK suite {@code spec} (all of it, in its order, on one ActorSystem, as ScalaTest
   * would) and returns one test per case, named as the TCK names it, that passes or fails as the
   * case did, with the TCK's message and exception. A case ScalaTest cancelled or ignored is
   * skipped. An abort of the suite (a failure in beforeAll, or in a case's beforeEach, which writes
   * the case's fixture) fails the case it stopped at and skips the cases after it; an abort in
   * afterAll fails a test of its own.
   *
   * <p>Each test's source is the case's name as a "method" of {@code definedIn}, the TCK class
   * that defines it: Surefire names a test after its source method, so each case is a test of
   * its own in the report under its own name. (ScalaTest's JUnit 4 runner on the vintage engine,
   * the way the TCK's docs run it from Java, gives this Surefire nothing to name the cases by:
   * it reports every case as "null", failures as reruns of one test.) The cases run before their
   * tests report, so each test's own time is about zero; the TCK's time is the class's.
   */
  static Stream<DynamicTest> run(Suite spec, Class<?> definedIn) {
    Map<String, Event> outcomes = new LinkedHashMap<>();
    List<SuiteAborted> aborts = new ArrayList<>();
    Args args = args(event -> {
      synchronized (outcomes) {
        if (event instanceof TestSucceeded || event instanceof TestFailed || event instanceof TestCanceled
            || event instanceof TestIgnored || event instanceof TestPending) {
          outcomes.put(testName(event), event);
        } else if (event instanceof SuiteAborted abort) {
          aborts.add(abort);
        }
      }
    });
    Throwable thrown = null;
    try {
      spec.run(Option.empty(), args).waitUntilCompleted();
    } catch (Throwable t) { // what aborts the suite is thrown out of run, for ScalaTest's runners to report
      thrown = t;
    }
    synchronized (outcomes) {
      Throwable abort = thrown != null ? thrown
          : aborts.isEmpty() ? null : aborts.get(0).throwable().getOrElse(() -> new AssertionFailedError(aborts.get(0).message()));
      List<String> names = new ArrayList<>(CollectionConverters.asJava(spec.testNames()));
      String stoppedAt = abort == null ? null : names.stream().filter(name -> !outcomes.containsKey(name)).findFirst().orElse(null);
      List<DynamicTest> tests = new ArrayList<>();
      for (String name : names) {
        Event outcome = outcomes.get(name);
        tests.add(DynamicTest.dynamicTest(name, source(definedIn, name), () -> {
          if (outcome == null && name.equals(stoppedAt)) {
            throw failure("the TCK aborted at this case (in beforeAll or its beforeEach)", abort);
          } else if (outcome == null) {
            throw new TestAbortedException(abort == null ? "not run by the TCK" : "not run: the TCK aborted before it");
          }
          check(outcome);
        }));
      }
      if (abort != null && stoppedAt == null) {
        String name = "the TCK suite's afterAll";
        tests.add(DynamicTest.dynamicTest(name, source(definedIn, name), () -> {
          throw failure("the TCK aborted after its last case", abort);
        }));
      }
      return tests.stream();
    }
  }

  private static void check(Event outcome) {
    if (outcome instanceof TestFailed failed) {
      throw failure(failed.message(), failed.throwable().isDefined() ? failed.throwable().get() : null);
    } else if (outcome instanceof TestCanceled canceled) {
      throw new TestAbortedException("cancelled by the TCK: " + canceled.message());
    } else if (outcome instanceof TestIgnored || outcome instanceof TestPending) {
      throw new TestAbortedException("ignored or pending in the TCK");
    }
  }

  /** The TCK's message (with its exception's, when that says more), caused by the TCK's exception. */
  private static AssertionFailedError failure(String message, Throwable cause) {
    String detail = cause == null || cause.getMessage() == null || message.contains(cause.getMessage())
        ? message : message + ": " + cause.getMessage();
    return new AssertionFailedError(detail, cause);
  }

  private static String testName(Event event) {
    if (event instanceof TestSucceeded e) {
      return e.testName();
    } else if (event instanceof TestFailed e) {
      return e.testName();
    } else if (event instanceof TestCanceled e) {
      return e.testName();
    } else if (event instanceof TestIgnored e) {
      return e.testName();
    }
    return ((TestPending) event).testName();
  }

  /** "method:Class#name()": the trailing () keeps a name ending in parentheses whole. */
  private static URI source(Class<?> definedIn, String name) {
    try {
      return new URI("method", definedIn.getName(), name + "()");
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Scala's {@code Args(reporter)}: the reporter and the defaults of Args' other parameters. */
  private static Args args(org.scalatest.Reporter reporter) {
    Args$ defaults = Args$.MODULE$;
    return new Args(reporter, defaults.apply$default$2(), defaults.apply$default$3(), defaults.apply$default$4(),
        defaults.apply$default$5(), defaults.apply$default$6(), defaults.apply$default$7(),
        defaults.apply$default$8(), defaults.apply$default$9(), defaults.apply$default$10());
  }
}
