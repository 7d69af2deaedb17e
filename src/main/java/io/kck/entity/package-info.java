/**
 * The key's protocol and its journaled types (internal: no type here is part of KCK's API, and any
 * may change): the commands a key's actor understands and their replies, the events and state it
 * journals, the entry it answers, and {@link io.kck.entity.KeyClient}, the one way to ask a key
 * through sharding. The classes of the journaled types are the names stored in every journal row:
 * they do not move or get renamed (JournalCompatibilityTest replays a journal of an earlier release).
 *
 * <p>May import: {@code io.kck.persistence}, {@code io.kck.primer}, {@code io.kck.errors}.
 */
package io.kck.entity;
