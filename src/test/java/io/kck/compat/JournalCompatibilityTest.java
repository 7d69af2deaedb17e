package io.kck.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.KeyInfo;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A journal written by an earlier release replays in this one: the rows in {@code
 * src/test/resources/journal-0.1/} were written by KCK 0.1 as it was before the engine moved into
 * sub-packages (commit cd41f79), through {@link JournalFixturePrimers}: values computed, put and
 * dropped, twelve deltas with snapshots between them, edges of a derived and of a lazy product
 * (the lazy one outdated by its input's put), and the warm-key registry's additions and removal.
 * Every journaled type is stored under its class name, so a class that moves breaks this test
 * before it breaks a user's journal.
 */
class JournalCompatibilityTest {
  private static final Path ROWS = Path.of("src/test/resources/journal-0.1");

  @Test
  void aJournalWrittenBeforeTheEngineMovedReplaysWithoutComputingAgain() throws Exception {
    String database = TestNodes.ownDatabase("journal_compat");
    ActorTestKit first = TestNodes.start("JournalCompatSchema", TestNodes.config(database));
    try {
      // KCK makes its tables as it starts; the registry's answer says it has.
      Stages.await(Kck.start(first.system(), JournalFixturePrimers.all(false)).warmKeys());
    } finally {
      first.shutdownTestKit();
    }
    load(database, "event_journal");
    load(database, "snapshot");

    ActorTestKit node = TestNodes.start("JournalCompat", TestNodes.config(database));
    try {
      Kck kck = Kck.start(node.system(), JournalFixturePrimers.all(false));
      assertEquals(Set.of("compat-base/1"), Stages.await(kck.warmKeys()), "the registry's events replay");

      assertEntry(kck, "compat-base/1", "base-1", 1);
      assertEntry(kck, "compat-base/2", "put-2", 2); // from its snapshot
      assertEntry(kck, "compat-derived/1", "base-1+put-2", 2);
      String log = "start," + java.util.stream.IntStream.rangeClosed(1, 12).mapToObj(i -> "e" + i)
          .collect(Collectors.joining(","));
      assertEntry(kck, "compat-log/1", log, 13); // a snapshot, then the deltas after it
      assertTrue(Stages.await(kck.getIfPresent("compat-base/4")).isEmpty(), "its value was dropped");

      KeyInfo lazy = Stages.await(kck.admin().inspect(kck.key("compat-lazy/3")));
      assertTrue(lazy.outdated(), "the outdate replays");
      assertEquals(Map.of("compat-base/3", 1L), lazy.inputs());
      KeyInfo base = Stages.await(kck.admin().inspect(kck.key("compat-base/1")));
      assertEquals(Set.of("compat-derived/1"), base.dependents(), "the edges replay");
      assertFalse(base.outdated());
    } finally {
      node.shutdownTestKit();
    }
  }

  private static void assertEntry(Kck kck, String key, String value, long version) {
    Entry<Object> entry = Stages.await(kck.getEntry(key));
    assertEquals(value, entry.value(), key);
    assertEquals(version, entry.version(), key);
  }

  /** Inserts the rows of {@code table}'s file (tab-separated, a header of name:type, bytea in Base64). */
  private static void load(String database, String table) throws Exception {
    List<String> lines = Files.readAllLines(ROWS.resolve(table + ".tsv"));
    String[] header = lines.get(0).split("\t");
    List<String> columns = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < header.length; i++) {
      if (!header[i].endsWith(":bigserial")) { // the ordering: the table numbers its rows itself
        columns.add(header[i].substring(0, header[i].indexOf(':')));
        indexes.add(i);
      }
    }
    String sql = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
        + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
    try (Connection connection = connect(database); PreparedStatement insert = connection.prepareStatement(sql)) {
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split("\t", -1);
        for (int p = 0; p < indexes.size(); p++) {
          int i = indexes.get(p);
          insert.setObject(p + 1, value(header[i].substring(header[i].indexOf(':') + 1), cells[i]));
        }
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private static Object value(String type, String text) {
    if (text.equals("\\N")) {
      return null;
    }
    return switch (type) {
      case "int8" -> Long.parseLong(text);
      case "int4" -> Integer.parseInt(text);
      case "bool" -> Boolean.parseBoolean(text);
      case "bytea" -> Base64.getDecoder().decode(text);
      default -> text;
    };
  }

  private static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(setting(database, "url"), setting(database, "user"), setting(database, "password"));
  }

  private static String setting(String config, String name) {
    return config.lines().filter(line -> line.startsWith("kck.database." + name + " ")).findFirst().orElseThrow()
        .replaceAll(".*= \"(.*)\"", "$1");
  }
}
