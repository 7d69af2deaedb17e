package io.kck.entity.source;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder of PostgreSQL's {@code pgoutput} logical decoding messages, protocol version 1 (the
 * form of each message is in PostgreSQL's documentation, "Logical Replication Message Formats").
 * It remembers the relations the stream described (a relation message precedes the first change
 * of a table, and again after the table's schema changes) to name the columns of each row. Column
 * values arrive in PostgreSQL's text form. Not thread-safe: one per stream.
 */
final class PgOutput {

  /** A decoded message. */
  sealed interface Message {}

  /**
   * A transaction starts; {@code finalLsn}: its commit's position; {@code commitMillis}: its commit
   * time on the server's clock, in milliseconds since 1970.
   */
  record Begin(long finalLsn, long commitMillis, int xid) implements Message {}

  /** A transaction ends; {@code commitLsn} is its commit, {@code endLsn} the position after it (what is confirmed). */
  record Commit(long commitLsn, long endLsn) implements Message {}

  /** A row changed: its table ({@code schema.table}), the row before (or null), the row after (or null). */
  record Change(String table, Kind kind, Map<String, String> before, Map<String, String> after) implements Message {}

  /** Rows of tables were truncated: no row images. */
  record Truncate(List<String> tables) implements Message {}

  /** A message this consumer has no use for (relation, type, origin, ...). */
  record Other(char type) implements Message {}

  enum Kind {
    INSERT,
    UPDATE,
    DELETE
  }

  private record Relation(String table, List<String> columns) {}

  /** A column whose TOASTed value did not change and was not sent: its value is not known. */
  static final String UNCHANGED_TOAST = new String("\u0000unchanged-toast");

  /** 2000-01-01T00:00:00Z in milliseconds since 1970. */
  private static final long POSTGRES_EPOCH_MILLIS = 946_684_800_000L;

  private final Map<Integer, Relation> relations = new HashMap<>();

  Message decode(ByteBuffer buffer) {
    char type = (char) buffer.get();
    switch (type) {
      case 'B': {
        long finalLsn = buffer.getLong();
        long commitMicros = buffer.getLong(); // since 2000-01-01, PostgreSQL's epoch
        return new Begin(finalLsn, POSTGRES_EPOCH_MILLIS + commitMicros / 1000, buffer.getInt());
      }
      case 'C': {
        buffer.get(); // flags
        long commitLsn = buffer.getLong();
        long endLsn = buffer.getLong();
        return new Commit(commitLsn, endLsn);
      }
      case 'R': {
        int id = buffer.getInt();
        String namespace = string(buffer);
        String name = string(buffer);
        buffer.get(); // replica identity setting
        int count = Short.toUnsignedInt(buffer.getShort());
        List<String> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          buffer.get(); // flags (part of the key)
          columns.add(string(buffer));
          buffer.getInt(); // type oid
          buffer.getInt(); // type modifier
        }
        relations.put(id, new Relation(namespace + "." + name, columns));
        return new Other(type);
      }
      case 'I': {
        Relation relation = relation(buffer.getInt());
        expect(buffer, 'N');
        return new Change(relation.table(), Kind.INSERT, null, tuple(buffer, relation));
      }
      case 'U': {
        Relation relation = relation(buffer.getInt());
        char next = (char) buffer.get();
        Map<String, String> before = null;
        if (next == 'K' || next == 'O') {
          before = tuple(buffer, relation);
          next = (char) buffer.get();
        }
        if (next != 'N') {
          throw new IllegalStateException("pgoutput: an update of " + relation.table() + " without its new row ('" + next + "')");
        }
        return new Change(relation.table(), Kind.UPDATE, before, tuple(buffer, relation));
      }
      case 'D': {
        Relation relation = relation(buffer.getInt());
        char next = (char) buffer.get();
        if (next != 'K' && next != 'O') {
          throw new IllegalStateException("pgoutput: a delete of " + relation.table() + " without its old row ('" + next + "')");
        }
        return new Change(relation.table(), Kind.DELETE, tuple(buffer, relation), null);
      }
      case 'T': {
        int count = buffer.getInt();
        buffer.get(); // options
        List<String> tables = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          Relation relation = relations.get(buffer.getInt());
          tables.add(relation == null ? "?" : relation.table());
        }
        return new Truncate(tables);
      }
      default:
        return new Other(type);
    }
  }

  private Relation relation(int id) {
    Relation relation = relations.get(id);
    if (relation == null) {
      throw new IllegalStateException("pgoutput: a change of relation " + id + " before its description");
    }
    return relation;
  }

  private static void expect(ByteBuffer buffer, char expected) {
    char found = (char) buffer.get();
    if (found != expected) {
      throw new IllegalStateException("pgoutput: expected '" + expected + "', found '" + found + "'");
    }
  }

  /** A row: column name to text value (null for SQL NULL, {@link #UNCHANGED_TOAST} when not sent). */
  private static Map<String, String> tuple(ByteBuffer buffer, Relation relation) {
    int count = Short.toUnsignedInt(buffer.getShort());
    Map<String, String> row = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String column = i < relation.columns().size() ? relation.columns().get(i) : "column" + i;
      char kind = (char) buffer.get();
      switch (kind) {
        case 'n' -> row.put(column, null);
        case 'u' -> row.put(column, UNCHANGED_TOAST);
        case 't', 'b' -> {
          byte[] bytes = new byte[buffer.getInt()];
          buffer.get(bytes);
          row.put(column, new String(bytes, StandardCharsets.UTF_8));
        }
        default -> throw new IllegalStateException("pgoutput: unknown column kind '" + kind + "'");
      }
    }
    return Collections.unmodifiableMap(row);
  }

  private static String string(ByteBuffer buffer) {
    int start = buffer.position();
    int end = start;
    while (buffer.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - start];
    buffer.get(bytes);
    buffer.get(); // the terminating zero
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
