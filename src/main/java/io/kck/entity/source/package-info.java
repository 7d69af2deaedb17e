/**
 * Source tables: PostgreSQL's logical replication of the tables primers declare ({@code
 * io.kck.primer.TableSource}), decoded from {@code pgoutput} and handed to the keys each changed
 * row affects, with the slot confirmed only once they journaled it (docs/sources.md).
 *
 * <p>May import: {@code io.kck.entity}, {@code io.kck.persistence}, {@code io.kck.primer}, {@code
 * io.kck.errors}.
 */
package io.kck.entity.source;
