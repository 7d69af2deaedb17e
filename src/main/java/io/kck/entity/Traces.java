package io.kck.entity;

import java.util.Map;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * KCK's JDK Flight Recorder events: a compute, an event journaled, a change told to dependents,
 * a key loading its state. They cost a flag check unless a recording that enables them runs ({@code jcmd <pid>
 * JFR.start}, or a JDK Mission Control session); then each names its key, so that a product's
 * compute and the wave of computes it causes downstream can be followed, each compute carrying the
 * upstream versions it was required to see.
 */
final class Traces {
  private Traces() {}

  /** The longest text a field holds: a large lineage is cut, not copied into every event. */
  static final int MAX_TEXT = 500;

  @Name("io.kck.Compute")
  @Label("KCK compute")
  @Category({"KCK"})
  @Description("One compute of a key, on the compute pool")
  @StackTrace(false)
  static final class Compute extends Event {
    @Label("Key") String key;
    @Label("Primer") String primer;
    @Label("Cause") String cause;
    @Label("Attempt") long attempt;
    @Label("Requires") @Description("Upstream versions the compute must see: the wave it belongs to") String requires;
    @Label("Failed") boolean failed;
    @Label("Wave") @Description("The change this compute follows from: key@version of its origin") String wave;
    @Label("Base version") @Description("The version this compute starts from") long baseVersion;
  }

  @Name("io.kck.Propagate")
  @Label("KCK change told to dependents")
  @Category({"KCK"})
  @StackTrace(false)
  static final class Propagate extends Event {
    @Label("Key") String key;
    @Label("Version") long version;
    @Label("Dependents") int dependents;
    @Label("Outdated only") boolean outdated;
    @Label("Cause") @Description("The upstream versions behind this change") String cause;
    @Label("Wave") @Description("The change this one follows from: key@version of its origin") String wave;
  }

  @Name("io.kck.Persist")
  @Label("KCK event journaled")
  @Category({"KCK"})
  @Description("One event of a key written to the journal, from the key's persist to the journal's acknowledgement")
  @StackTrace(false)
  static final class Persist extends Event {
    @Label("Key") String key;
    @Label("Primer") String primer;
    @Label("Event") String event;
    @Label("Version") @Description("The key's version once the event is applied") long version;
  }

  @Name("io.kck.Recovery")
  @Label("KCK key loaded")
  @Category({"KCK"})
  @Description("A key's actor loading its state from the journal, from its start to its first command")
  @StackTrace(false)
  static final class Recovery extends Event {
    @Label("Key") String key;
    @Label("Primer") String primer;
    @Label("Version") long version;
  }

  static String text(Map<String, Long> versions) {
    String text = versions.toString();
    return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
  }
}
