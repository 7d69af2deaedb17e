/**
 * The compute pool: where primers' computes run, bounded, never on an actor's thread.
 *
 * <p>May import: {@code io.kck.primer}, {@code io.kck.errors}.
 */
package io.kck.entity.compute;
