/**
 * The engine's settings, read and checked once when KCK starts (a bad value fails start-up naming
 * its path): the key entities' settings, each primer's resolved settings, retention policies.
 * Immutable values.
 *
 * <p>May import: {@code io.kck.entity}, {@code io.kck.primer} (and its {@code internal}), {@code io.kck.errors}.
 */
package io.kck.entity.settings;
