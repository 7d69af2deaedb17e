/**
 * What KCK reports about itself: its Micrometer meters (tagged by primer, never by key) and its
 * JDK Flight Recorder events.
 *
 * <p>May import: {@code io.kck.entity.compute}, {@code io.kck.persistence}, {@code io.kck.primer},
 * {@code io.kck.errors}.
 */
package io.kck.entity.metrics;
