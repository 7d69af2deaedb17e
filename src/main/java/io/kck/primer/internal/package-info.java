/**
 * What the engine, the SQL primers and the HTTP service need of {@code io.kck.primer} that is no
 * part of the API: where a read tier remembers a key's entry ({@link io.kck.primer.internal.KeySlots}),
 * how a primer's {@link io.kck.primer.Augment} is applied ({@link io.kck.primer.internal.Augments}),
 * the primers of a node by name ({@link io.kck.primer.internal.PrimerRegistry}) and freshness read
 * from HOCON ({@link io.kck.primer.internal.FreshnessConfig}). Not for applications: KCK's jar
 * names its module {@code io.kck}, and this package would not be exported by it.
 *
 * <p>The members of {@code io.kck.primer} this package reaches are package-private there, so that
 * an application does not see them; this package reaches them through one private lookup into
 * {@code io.kck.primer} ({@code PrimerPackage}), held in static final handles that the JIT compiles
 * to a plain field read or call. A lookup, not an accessor object registered by {@code
 * io.kck.primer}: registering one would make {@code io.kck.primer} import this package, a cycle.
 *
 * <p>Nothing here is null unless marked {@code @Nullable}.
 *
 * <p>May import: {@code io.kck.primer}, {@code io.kck.errors}.
 */
@NullMarked
package io.kck.primer.internal;

import org.jspecify.annotations.NullMarked;
