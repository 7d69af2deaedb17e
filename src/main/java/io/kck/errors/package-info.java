/**
 * The exceptions KCK reports, each with its {@link io.kck.errors.KckException.Kind}. Nothing here
 * depends on the rest of the library, so every other package may use it.
 *
 * <p>May import: nothing of KCK.
 */
@NullMarked
package io.kck.errors;

import org.jspecify.annotations.NullMarked;
