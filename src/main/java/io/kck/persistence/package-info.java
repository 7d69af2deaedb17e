/**
 * Everything that speaks SQL or owns KCK's database (internal): the embedded PostgreSQL, the
 * connection pool, KCK's journal and snapshot plugins for Akka Persistence (and the base classes of
 * KCK's event-sourced actors, which journal to them), the plain SQL beside
 * them (presence reads, purges, bulk reads, the version floor's rows, the health probe), the
 * names rows are stored under, and how values are written as JSON.
 *
 * <p>May import: {@code io.kck.primer} (and its {@code internal}), {@code io.kck.errors}.
 */
package io.kck.persistence;
