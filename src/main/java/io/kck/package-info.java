/**
 * KCK's API: {@link io.kck.Kck} (start it, ask for data products, change them, listen), its
 * blocking view {@link io.kck.KckBlocking}, its admin view {@link io.kck.KckAdmin}, and the values
 * they answer ({@link io.kck.Entry}, {@link io.kck.KeyResult}, {@link io.kck.KeyInfo}). Products are
 * defined in {@link io.kck.primer}; failures are the exceptions of {@link io.kck.errors}.
 *
 * <p>Nothing here is null unless marked {@code @Nullable}.
 *
 * <p>May import: {@code io.kck.primer}, {@code io.kck.errors}, and the engine only through
 * {@code io.kck.entity.node.Engine} and the protocol's values ({@code io.kck.entity}).
 */
@NullMarked
package io.kck;

import org.jspecify.annotations.NullMarked;
