/**
 * What runs once per cluster or once per subscription rather than once per key: the warm-key
 * registry, the retention sweep and the primers' refresh schedules (cluster singletons), and the subscribers that hand a key's
 * updates to the application.
 *
 * <p>May import: {@code io.kck.entity}, {@code io.kck.entity.settings}, {@code io.kck.entity.metrics},
 * {@code io.kck.persistence}, {@code io.kck.primer} (and its {@code internal}), {@code io.kck.errors}.
 */
package io.kck.entity.cluster;
