package io.kck;

import java.util.List;

/**
 * Whether a node is ready for traffic ({@link KckAdmin#health}): ready when every check passes;
 * degraded when it is ready but a check reports a problem that needs a look and does not stop it
 * serving (a source tables' replication slot lagging: docs/sources.md). Immutable.
 *
 * @param checks each check with its result: {@code cluster} (an {@code Up} member), {@code
 *     sharding} (the key entities' shard region answers), {@code database} (this node's probe
 *     reaches KCK's PostgreSQL), {@code schema} (KCK's tables are there), and, when primers declare
 *     sources, {@code sources} (passes; degraded past {@code kck.sources.max-lag} or {@code
 *     kck.sources.max-lag-bytes})
 */
public record Health(List<Check> checks) {

  public Health {
    checks = List.copyOf(checks);
  }

  /** Whether every check passes. */
  public boolean ready() {
    return checks.stream().allMatch(Check::ok);
  }

  /** Whether the node is ready, but a check reports it degraded ({@link Check#degraded}). */
  public boolean degraded() {
    return ready() && checks.stream().anyMatch(Check::degraded);
  }

  /**
   * One check.
   *
   * @param name what was checked
   * @param ok whether it passes
   * @param degraded whether it passes with a problem that needs a look (then {@code detail} says
   *     which)
   * @param detail what it found, in a few words (no exception text: it may be shown to anyone)
   */
  public record Check(String name, boolean ok, boolean degraded, String detail) {
    /** A check that is not degraded. */
    public Check(String name, boolean ok, String detail) {
      this(name, ok, false, detail);
    }
  }
}
