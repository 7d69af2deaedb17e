package io.kck;

import java.util.List;

/**
 * Whether a node is ready for traffic ({@link KckAdmin#health}): ready when every check passes.
 *
 * @param checks each check with its result: {@code cluster} (an {@code Up} member), {@code
 *     sharding} (the key entities' shard region answers), {@code database} (this node's probe
 *     reaches KCK's PostgreSQL), {@code schema} (KCK's tables are there)
 */
public record Health(List<Check> checks) {

  public Health {
    checks = List.copyOf(checks);
  }

  /** Whether every check passes. */
  public boolean ready() {
    return checks.stream().allMatch(Check::ok);
  }

  /**
   * One check.
   *
   * @param name what was checked
   * @param ok whether it passes
   * @param detail what it found, in a few words (no exception text: it may be shown to anyone)
   */
  public record Check(String name, boolean ok, String detail) {}
}
