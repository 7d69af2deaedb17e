/**
 * The engine of one node, wired: {@link io.kck.entity.node.Engine} starts every part on an
 * ActorSystem and is the one entry point of the facade ({@code io.kck}) into the engine; the
 * requests of the facade reach keys through it, and so do readiness checks.
 *
 * <p>May import: every package of the engine, {@code io.kck.persistence}, {@code io.kck.primer}
 * (and its {@code internal}), {@code io.kck.errors}.
 */
package io.kck.entity.node;
