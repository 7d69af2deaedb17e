package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every setting {@code reference.conf} documents under {@code kck} is read by some code: a
 * setting nothing reads misleads whoever tunes it (a benchmark once "measured" one). KCK's own
 * settings are read by name, so each must appear as a string in the main sources; the blocks KCK
 * hands to Akka whole (its journal and snapshot plugins, its sharding settings, its dispatchers)
 * are Akka's to read.
 */
@Tag("unit")
class ReferenceConfTest {
  private static final Set<String> HANDED_TO_AKKA =
      Set.of("journal", "snapshot-store", "sharding", "entity-dispatcher", "journal-dispatcher", "http-dispatcher",
          "compute-dispatcher");

  @Test
  void everyKckSettingIsReadBySomeCode() throws IOException {
    Config kck = ConfigFactory.defaultReference().getConfig("kck");
    String sources;
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      sources = files.filter(file -> file.toString().endsWith(".java")).map(ReferenceConfTest::read)
          .collect(Collectors.joining("\n"));
    }
    // A setting may also be read through a substitution into a block Akka reads.
    String reference = Files.readString(Path.of("src/main/resources/reference.conf"));
    List<String> unread = kck.entrySet().stream().map(entry -> entry.getKey())
        .filter(path -> !HANDED_TO_AKKA.contains(path.split("\\.")[0]))
        .filter(path -> !mentioned(sources, path) && !reference.contains("${kck." + path + "}"))
        .sorted().toList();
    assertEquals(List.of(), unread, "settings in reference.conf that no code reads");
  }

  /** Whether the setting's own name, or its path below a block that is read whole, is in the sources. */
  private static boolean mentioned(String sources, String path) {
    String[] parts = ("kck." + path).split("\\.");
    for (int from = 0; from < parts.length; from++) {
      String suffix = String.join(".", java.util.Arrays.copyOfRange(parts, from, parts.length));
      if (sources.contains("\"" + suffix + "\"")) {
        return true;
      }
    }
    return false;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
