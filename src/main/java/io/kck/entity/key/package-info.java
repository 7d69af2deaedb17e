/**
 * The actor of one key and its parts: {@link io.kck.entity.key.KeyEntity} owns the command switch
 * and turns decisions into effects; each part decides one concern and persists nothing (single
 * flight, backoff, dependencies, augment deltas, freshness timers, local hits, observers,
 * retention, the version floor, migrations of older value formats), and the compute of a key runs off the actor
 * ({@link io.kck.entity.key.ComputeRun}), alone or in a batch of its primer's keys
 * ({@link io.kck.entity.key.BatchLanes}).
 *
 * <p>May import: {@code io.kck.entity} and its {@code tier}, {@code settings}, {@code metrics},
 * {@code compute}; {@code io.kck.persistence}, {@code io.kck.primer} (and its {@code internal}), {@code io.kck.errors}.
 */
package io.kck.entity.key;
