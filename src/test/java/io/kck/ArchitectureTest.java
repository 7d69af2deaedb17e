package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rules of the house, checked on the sources so that no change breaks them unnoticed (README,
 * "Layout"): which package may import which, no cycles between packages, no public signature of
 * the API that names an engine type, and no oversized file in the engine.
 */
class ArchitectureTest {
  private static final Path SOURCES = Path.of("src/main/java/io/kck");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.kck\\.(?:([a-z]+)\\.)?[A-Z]", Pattern.MULTILINE);
  // Not right after a quote: a string such as a JFR event's name ("io.kck.Compute") is no reference.
  private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.\"])io\\.kck\\.(?:([a-z]+)\\.)?[A-Z]\\w*");

  /** Package (relative to io.kck, "" for the facade) to the packages it may use. */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "errors", Set.of(),
      "primer", Set.of("errors"),
      "persistence", Set.of(),
      "entity", Set.of("errors", "primer", "persistence"),
      "", Set.of("errors", "primer", "entity", "persistence"),
      "http", Set.of("", "errors", "primer"),
      "cluster", Set.of(""),
      "sql", Set.of("errors", "primer", "persistence"));

  @Test
  void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
    Map<String, Set<String>> used = uses();
    assertEquals(ALLOWED.keySet(), used.keySet(), "packages under io.kck (a new one needs its rule here)");
    List<String> broken = new ArrayList<>();
    used.forEach((from, targets) -> targets.stream()
        .filter(to -> !to.equals(from) && !ALLOWED.get(from).contains(to))
        .forEach(to -> broken.add(name(from) + " uses " + name(to))));
    assertTrue(broken.isEmpty(), "imports that break the layering: " + broken);
  }

  @Test
  void noPackagesDependOnEachOtherInACycle() throws IOException {
    Map<String, Set<String>> used = uses();
    for (String start : used.keySet()) {
      List<String> cycle = cycleFrom(start, start, used, new ArrayList<>(List.of(start)), new TreeSet<>());
      assertTrue(cycle.isEmpty(), "a cycle between packages: " + cycle);
    }
  }

  @Test
  void thePublicApiNamesNoEngineType() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : List.of(Kck.class, KckBlocking.class, KckAdmin.class, Entry.class, KeyResult.class,
        KeyInfo.class, Subscription.class, KckExtension.class)) {
      for (Method method : type.getDeclaredMethods()) {
        if (Modifier.isPublic(method.getModifiers())) {
          String signature = method.toGenericString();
          if (signature.contains("io.kck.entity.") || signature.contains("io.kck.persistence.")) {
            leaks.add(signature);
          }
        }
      }
    }
    assertTrue(leaks.isEmpty(), "engine types in public signatures: " + leaks);
  }

  @Test
  void noFileOfTheEngineIsOverAboutFourHundredLines() throws IOException {
    try (Stream<Path> files = Files.list(SOURCES.resolve("entity"))) {
      for (Path file : files.toList()) {
        long lines = Files.readAllLines(file).size();
        assertTrue(lines <= 420, file + " has " + lines + " lines: split it by concern");
      }
    }
  }

  /** For each package under io.kck, the packages its sources name (imports and qualified names). */
  private static Map<String, Set<String>> uses() throws IOException {
    Map<String, Set<String>> used = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
        Path relative = SOURCES.relativize(file.getParent());
        String from = relative.toString().replace('/', '.');
        String source = withoutComments(Files.readString(file));
        Set<String> targets = used.computeIfAbsent(from, name -> new TreeSet<>());
        for (Pattern pattern : List.of(IMPORT, QUALIFIED)) {
          Matcher matcher = pattern.matcher(source);
          while (matcher.find()) {
            targets.add(matcher.group(1) == null ? "" : matcher.group(1));
          }
        }
      }
    }
    return used;
  }

  private static List<String> cycleFrom(
      String start, String at, Map<String, Set<String>> used, List<String> path, Set<String> seen) {
    for (String next : used.getOrDefault(at, Set.of())) {
      if (next.equals(at)) {
        continue;
      }
      if (next.equals(start)) {
        List<String> cycle = new ArrayList<>(path);
        cycle.add(next);
        return cycle.stream().map(ArchitectureTest::name).toList();
      }
      if (seen.add(next)) {
        path.add(next);
        List<String> found = cycleFrom(start, next, used, path, seen);
        if (!found.isEmpty()) {
          return found;
        }
        path.remove(path.size() - 1);
      }
    }
    return List.of();
  }

  /** Javadoc may link anywhere ({@link io.kck.Kck}); only code counts. */
  private static String withoutComments(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
  }

  private static String name(String relative) {
    return relative.isEmpty() ? "io.kck" : "io.kck." + relative;
  }
}
