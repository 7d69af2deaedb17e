package io.kck.entity.metrics;

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
public final class Traces {
  private Traces() {}

  /** The longest text a field holds: a large lineage is cut, not copied into every event. */
  static final int MAX_TEXT = 500;

  @Name("io.kck.Compute")
  @Label("KCK compute")
  @Category({"KCK"})
  @Description("One compute of a key, on the compute pool")
  @StackTrace(false)
  public static final class Compute extends Event {
    @Label("Key") public String key;
    @Label("Primer") public String primer;
    @Label("Cause") public String cause;
    @Label("Attempt") public long attempt;
    @Label("Requires") @Description("Upstream versions the compute must see: the wave it belongs to") public String requires;
    @Label("Failed") public boolean failed;
    @Label("Wave") @Description("The change this compute follows from: key@version of its origin") public String wave;
    @Label("Base version") @Description("The version this compute starts from") public long baseVersion;
  }

  @Name("io.kck.Propagate")
  @Label("KCK change told to dependents")
  @Category({"KCK"})
  @StackTrace(false)
  public static final class Propagate extends Event {
    @Label("Key") public String key;
    @Label("Version") public long version;
    @Label("Dependents") public int dependents;
    @Label("Outdated only") public boolean outdated;
    @Label("Cause") @Description("The upstream versions behind this change") public String cause;
    @Label("Wave") @Description("The change this one follows from: key@version of its origin") public String wave;
  }

  @Name("io.kck.Persist")
  @Label("KCK event journaled")
  @Category({"KCK"})
  @Description("One event of a key written to the journal, from the key's persist to the journal's acknowledgement")
  @StackTrace(false)
  public static final class Persist extends Event {
    @Label("Key") public String key;
    @Label("Primer") public String primer;
    @Label("Event") public String event;
    @Label("Version") @Description("The key's version once the event is applied") public long version;
  }

  @Name("io.kck.Recovery")
  @Label("KCK key loaded")
  @Category({"KCK"})
  @Description("A key's actor loading its state from the journal, from its start to its first command")
  @StackTrace(false)
  public static final class Recovery extends Event {
    @Label("Key") public String key;
    @Label("Primer") public String primer;
    @Label("Version") public long version;
  }

  public static String text(Map<String, Long> versions) {
    String text = versions.toString();
    return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
  }
}
