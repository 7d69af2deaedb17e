/**
 * How a data product is defined: a {@link io.kck.primer.Primer} (name, typed {@link
 * io.kck.primer.Parameter}s, value type, {@code compute}), the {@link io.kck.primer.Key}s it names,
 * how its values stay fresh ({@link io.kck.primer.Freshness}, {@link io.kck.primer.Propagation}),
 * how they take small deltas ({@link io.kck.primer.Augment}), what a compute can read ({@link
 * io.kck.primer.ComputeContext}), and hooks on what happens to its keys. Depends on nothing of KCK
 * but its exceptions.
 *
 * <p>Nothing here is null unless marked {@code @Nullable}.
 *
 * <p>May import: {@code io.kck.errors}.
 */
@NullMarked
package io.kck.primer;

import org.jspecify.annotations.NullMarked;
