package io.kck.persistence;

/**
 * Marks the library's commands, replies, events and snapshots for Akka's Jackson (CBOR)
 * serializer; {@code reference.conf} binds it. Only classes bound here (and nothing named inside
 * stored data) are ever instantiated when reading a message or the journal.
 */
public interface KckSerializable {}
