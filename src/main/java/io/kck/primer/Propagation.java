package io.kck.primer;

/**
 * How a key reacts when a product it read during its last compute gets a new value. Declared by
 * {@link Primer#propagation()}; {@code kck.primers."<name>".propagation = eager | lazy} in HOCON
 * takes precedence.
 */
public enum Propagation {
  /**
   * Recompute as soon as an input changes, so the next get finds the new value ready (a get that
   * arrives while the recompute runs answers the previous value). Updates that
   * arrive while a recompute runs, or within {@code kck.dependencies.coalesce-window} of its start,
   * are folded into one more recompute.
   */
  EAGER,
  /**
   * Only mark the value outdated (persistently) and tell the key's own dependents, which become
   * outdated too. The next get of an outdated key recomputes it, and that compute's reads bring
   * its outdated inputs up to date first. Nothing is computed for products nobody asks for.
   */
  LAZY
}
