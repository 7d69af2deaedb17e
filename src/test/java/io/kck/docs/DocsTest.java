package io.kck.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The docs (README.md and docs/) cannot drift from the code or from reference.conf:
 *
 * <ul>
 *   <li>every ```java block is a tagged region ({@code // tag::NAME[]} ... {@code // end::NAME[]})
 *       of the compiled sources in src/test/java/io/kck/docs or the cash-register sample, so a
 *       renamed method breaks the build, not the docs; and every region of src/test/java/io/kck/docs
 *       is shown by some page, so that no snippet outlives the page that showed it;
 *   <li>every setting the docs name ({@code `kck.a.b`}) is in reference.conf, and every name that
 *       is not a setting is a meter or logging key the main sources emit;
 *   <li>every setting of reference.conf under {@code kck} is in docs/configuration.md.
 * </ul>
 *
 * ReferenceConfTest checks the other side of reference.conf: that code reads each setting.
 */
@Tag("unit")
class DocsTest {
  private static final Pattern FENCE = Pattern.compile("^(\\s*)```(\\S*)\\s*$");
  private static final Pattern TAG = Pattern.compile("//\\s*(tag|end)::([A-Za-z0-9_-]+)\\[\\]\\s*$");
  private static final Pattern BACKTICKED = Pattern.compile("`([^`\\n]+)`");
  /** A setting's name: not a package ({@code io.kck.errors}), not a call ({@code kck.get(key)}). */
  private static final Pattern SETTING = Pattern.compile(
      "(?<![\\w.])kck(\\.([a-z0-9]([a-z0-9-]*[a-z0-9])?|\"[^\"]+\"))+(?![A-Za-z0-9(])");
  // The Spring Boot sample is compiled by its own pom (.ci/run builds it against the installed library).
  private static final List<Path> SNIPPET_SOURCES = List.of(Path.of("src/test/java/io/kck/docs"),
      Path.of("samples/cash-register/src/main/java"), Path.of("samples/spring-boot/src/main/java"));
  /** Blocks that Akka copies into kck whole: their leaves are Akka's settings unless KCK changes them. */
  private static final Map<String, String> COPIED_FROM = Map.of(
      "kck.sharding", "akka.cluster.sharding",
      "kck.journal", "jdbc-journal",
      "kck.snapshot-store", "jdbc-snapshot-store");

  /** One fenced block of a page. */
  record Block(Path file, int line, String language, String code) {}

  @Test
  void everyJavaBlockIsCompiledCode() throws IOException {
    Map<String, String> regions = taggedRegions();
    List<Block> java = blocks().stream().filter(block -> block.language().equals("java")).toList();
    assertFalse(java.isEmpty(), "no ```java block found in the docs");
    Set<String> compiled = new LinkedHashSet<>(regions.values());
    List<String> missing = java.stream().filter(block -> !compiled.contains(block.code()))
        .map(block -> block.file() + ":" + block.line() + ": a ```java block that is no tagged region of "
            + SNIPPET_SOURCES + " (tag it there with // tag::NAME[] ... // end::NAME[]):\n" + block.code())
        .toList();
    assertEquals(List.of(), missing, "Java in the docs that no compiled source holds verbatim");
  }

  @Test
  void everyTaggedRegionIsShownByAPage() throws IOException {
    Set<String> shown = blocks().stream().map(Block::code).collect(Collectors.toSet());
    List<String> unused = taggedRegions().entrySet().stream()
        .filter(region -> region.getKey().startsWith(SNIPPET_SOURCES.get(0).toString()))
        .filter(region -> !shown.contains(region.getValue())).map(Map.Entry::getKey).toList();
    assertEquals(List.of(), unused, "tagged regions of the docs' sources that no page shows (a page changed?)");
  }

  @Test
  void everySettingTheDocsNameIsInReferenceConf() throws IOException {
    Config reference = ConfigFactory.defaultReference();
    String mainSources = mainSources();
    Set<String> perPrimer = perPrimerSettings();
    List<String> unknown = new ArrayList<>();
    for (Path page : pages()) {
      List<String> lines = Files.readAllLines(page);
      for (int i = 0; i < lines.size(); i++) {
        Matcher ticked = BACKTICKED.matcher(lines.get(i));
        while (ticked.find()) {
          Matcher name = SETTING.matcher(ticked.group(1));
          while (name.find()) {
            String setting = name.group();
            if (!known(setting, reference, mainSources, perPrimer)) {
              unknown.add(page + ":" + (i + 1) + ": `" + setting + "`");
            }
          }
        }
      }
    }
    assertEquals(List.of(), unknown, "names in the docs that are neither a setting of reference.conf, nor a"
        + " per-primer setting, nor a meter or logging key of src/main/java");
  }

  @Test
  void everyKckSettingIsInTheConfigurationPage() throws IOException {
    String page = Files.readString(Path.of("docs/configuration.md"));
    List<String> undocumented = kckSettings().stream().filter(setting -> !page.contains("`" + setting + "`"))
        .toList();
    assertEquals(List.of(), undocumented, "settings of reference.conf that docs/configuration.md does not list");
    for (String setting : perPrimerSettings()) {
      assertTrue(page.contains("`kck.primers.\"<name>\"." + setting + "`"),
          "docs/configuration.md lists the per-primer setting " + setting);
    }
  }

  /** The leaves of reference.conf under kck, less the ones Akka's copied blocks bring unchanged. */
  static Set<String> kckSettings() {
    Config reference = ConfigFactory.defaultReference();
    Set<String> settings = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> entry : reference.getConfig("kck").entrySet()) {
      String path = "kck." + entry.getKey();
      boolean akkas = COPIED_FROM.entrySet().stream().anyMatch(copy -> {
        if (!path.startsWith(copy.getKey() + ".")) {
          return false;
        }
        String source = copy.getValue() + path.substring(copy.getKey().length());
        return reference.hasPath(source) && reference.getValue(source).unwrapped()
            .equals(entry.getValue().unwrapped());
      });
      if (!akkas) {
        settings.add(path);
      }
    }
    return settings;
  }

  private static boolean known(String setting, Config reference, String mainSources, Set<String> perPrimer) {
    if (setting.startsWith("kck.primers.\"")) {
      String[] parts = setting.substring("kck.primers.".length()).split("\\.", -1);
      // kck.primers."<name>" alone names the block; one level down is a setting of reference.conf's example.
      return parts.length == 1 || perPrimer.contains(parts[1]);
    }
    if (setting.startsWith("kck.spring.")) {
      return springProperty(setting.substring("kck.spring.".length()));
    }
    if (setting.startsWith("kck.sql-primers.\"")) {
      return true; // a primer's own block: its settings are SqlPrimer's (see the SQL primers section)
    }
    try {
      if (reference.hasPathOrNull(setting)) {
        return true;
      }
    } catch (com.typesafe.config.ConfigException.BadPath e) {
      return false;
    }
    return mainSources.contains("\"" + setting + "\"");
  }

  /**
   * The settings a primer's block under kck.primers may hold: those of the commented example in
   * reference.conf ({@code #   kck.primers."daily-sales" { ... }}).
   */
  static Set<String> perPrimerSettings() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("src/main/resources/reference.conf"));
    Set<String> names = new TreeSet<>();
    boolean inside = false;
    Pattern setting = Pattern.compile("^\\s*#\\s{5}#?\\s*([a-z-]+)\\s*[={]");
    for (String line : lines) {
      if (line.matches("^\\s*#\\s+kck\\.primers\\.\"[^\"]+\"\\s*\\{\\s*$")) {
        inside = true;
      } else if (inside && line.matches("^\\s*#\\s+}\\s*$")) {
        break;
      } else if (inside) {
        Matcher matcher = setting.matcher(line);
        if (matcher.find()) {
          names.add(matcher.group(1));
        }
      }
    }
    assertFalse(names.isEmpty(), "reference.conf's example of kck.primers.\"<name>\" was not found");
    return names;
  }

  /** README.md and every page under docs/. */
  static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(Path.of("README.md"));
    try (Stream<Path> docs = Files.walk(Path.of("docs"))) {
      docs.filter(file -> file.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /** Every fenced block of the pages, its code normalized. */
  static List<Block> blocks() throws IOException {
    List<Block> blocks = new ArrayList<>();
    for (Path page : pages()) {
      List<String> lines = Files.readAllLines(page);
      for (int i = 0; i < lines.size(); i++) {
        Matcher open = FENCE.matcher(lines.get(i));
        if (!open.matches() || open.group(2).isEmpty()) {
          continue;
        }
        int start = i;
        List<String> code = new ArrayList<>();
        for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
          code.add(lines.get(i));
        }
        assertTrue(i < lines.size(), page + ":" + (start + 1) + ": a fenced block that is never closed");
        blocks.add(new Block(page, start + 1, open.group(2), normalize(code)));
      }
    }
    return blocks;
  }

  /** Tag name to region (several stretches of one tag are joined, as Asciidoctor does), normalized. */
  static Map<String, String> taggedRegions() throws IOException {
    Map<String, String> regions = new LinkedHashMap<>();
    for (Path root : SNIPPET_SOURCES) {
      List<Path> files;
      try (Stream<Path> walk = Files.walk(root)) {
        files = walk.filter(file -> file.toString().endsWith(".java")).sorted().toList();
      }
      for (Path file : files) {
        List<String> lines = Files.readAllLines(file);
        Map<String, List<String>> found = new LinkedHashMap<>();
        Set<String> active = new LinkedHashSet<>();
        for (int i = 0; i < lines.size(); i++) {
          Matcher tag = TAG.matcher(lines.get(i));
          if (tag.find()) {
            String name = tag.group(2);
            if (tag.group(1).equals("tag")) {
              assertTrue(active.add(name), file + ":" + (i + 1) + ": tag " + name + " opened twice");
              found.computeIfAbsent(name, n -> new ArrayList<>());
            } else {
              assertTrue(active.remove(name), file + ":" + (i + 1) + ": end of tag " + name + " that is not open");
            }
            continue;
          }
          for (String name : active) {
            found.get(name).add(lines.get(i));
          }
        }
        assertEquals(Set.of(), active, file + ": tags never ended");
        for (Map.Entry<String, List<String>> region : found.entrySet()) {
          String key = file + "#" + region.getKey();
          regions.put(key, normalize(region.getValue()));
        }
      }
    }
    return regions;
  }

  /** Without trailing spaces, leading and trailing blank lines, and the indentation all lines share. */
  static String normalize(List<String> lines) {
    List<String> stripped = lines.stream().map(String::stripTrailing).collect(Collectors.toCollection(ArrayList::new));
    while (!stripped.isEmpty() && stripped.get(0).isEmpty()) {
      stripped.remove(0);
    }
    while (!stripped.isEmpty() && stripped.get(stripped.size() - 1).isEmpty()) {
      stripped.remove(stripped.size() - 1);
    }
    int indent = stripped.stream().filter(line -> !line.isEmpty())
        .mapToInt(line -> line.length() - line.stripLeading().length()).min().orElse(0);
    return stripped.stream().map(line -> line.isEmpty() ? line : line.substring(indent))
        .collect(Collectors.joining("\n"));
  }

  /**
   * Whether the Spring Boot integration has the property {@code kck.spring.<name>}: a field of its
   * {@code KckProperties} ({@code system-name}: {@code systemName}) or a name its sources spell out.
   */
  private static boolean springProperty(String name) {
    Path integration = Path.of("spring-boot/src/main/java/io/kck/spring");
    try {
      String properties = Files.readString(integration.resolve("KckProperties.java"));
      String field = Pattern.compile("-(\\w)").matcher(name).replaceAll(match -> match.group(1).toUpperCase(java.util.Locale.ROOT));
      if (Pattern.compile("private \\w+ " + field + "\\b").matcher(properties).find()) {
        return true;
      }
      try (Stream<Path> files = Files.list(integration)) {
        for (Path file : files.toList()) {
          if (Files.readString(file).contains("\"kck.spring." + name + "\"")) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String mainSources() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      return files.filter(file -> file.toString().endsWith(".java")).map(file -> {
        try {
          return Files.readString(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).collect(Collectors.joining("\n"));
    }
  }
}
