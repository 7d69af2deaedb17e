/**
 * Primers declared in HOCON as SQL queries ({@code kck.sql-primers}), read at start-up.
 *
 * <p>May import: {@code io.kck.primer} (and its {@code internal}), {@code io.kck.persistence}, {@code io.kck.errors}.
 */
package io.kck.sql;
