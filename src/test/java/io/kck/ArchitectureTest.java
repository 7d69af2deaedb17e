package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The rules of the house, checked on the sources and classes so that no change breaks them
 * unnoticed (docs/architecture.md): which package may import which, no cycle between packages, no
 * knot of more than ten classes that all reach each other, no public signature of the API that
 * names an engine type, and no sample that imports the engine.
 */
@Tag("unit")
class ArchitectureTest {
  private static final Path SOURCES = Path.of("src/main/java/io/kck");
  private static final Path CLASSES = Path.of("target/classes");
  private static final Path SAMPLES = Path.of("samples");
  // Package names below io.kck of any depth ("entity.key"); the class name starts with a capital.
  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?io\\.kck\\.((?:[a-z][a-z0-9]*\\.)*)[A-Z]", Pattern.MULTILINE);
  // Not right after a quote: a string such as a JFR event's name ("io.kck.Compute") is no reference.
  private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.\"])io\\.kck\\.((?:[a-z][a-z0-9]*\\.)*)[A-Z]\\w*");
  private static final int LARGEST_KNOT = 10;

  /**
   * Package (relative to io.kck, "" for the facade) to the packages it may use: the engine's
   * directions run node, key, {cluster, tier}, {settings, metrics}, entity (the key's protocol and
   * journaled types), {compute, persistence}, primer.internal (what the engine needs of the
   * primers that is no API), primer, errors; the facade reaches the engine only through entity
   * and node.
   */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("errors", Set.of()),
      Map.entry("primer", Set.of("errors")),
      Map.entry("primer.internal", Set.of("errors", "primer")),
      Map.entry("persistence", Set.of("errors", "primer", "primer.internal")),
      Map.entry("entity.compute", Set.of("errors", "primer")),
      Map.entry("entity", Set.of("errors", "primer", "persistence")),
      Map.entry("entity.settings", Set.of("errors", "primer", "primer.internal", "entity")),
      Map.entry("entity.metrics", Set.of("errors", "primer", "persistence", "entity.compute")),
      Map.entry("entity.tier", Set.of("errors", "primer", "primer.internal", "persistence", "entity",
          "entity.settings", "entity.metrics")),
      Map.entry("entity.cluster", Set.of("errors", "primer", "primer.internal", "persistence", "entity",
          "entity.settings", "entity.metrics")),
      Map.entry("entity.source", Set.of("errors", "primer", "primer.internal", "persistence", "entity")),
      Map.entry("entity.key", Set.of("errors", "primer", "primer.internal", "persistence", "entity",
          "entity.compute", "entity.settings", "entity.metrics", "entity.tier")),
      Map.entry("entity.node", Set.of("errors", "primer", "primer.internal", "persistence", "entity",
          "entity.compute", "entity.settings", "entity.metrics", "entity.tier", "entity.cluster", "entity.key",
          "entity.source")),
      Map.entry("", Set.of("errors", "primer", "entity", "entity.node")),
      Map.entry("http", Set.of("", "errors", "primer", "primer.internal")),
      Map.entry("cluster", Set.of("", "errors", "primer")),
      Map.entry("sql", Set.of("errors", "primer", "primer.internal", "persistence")));

  /** The packages an application may use: what the samples import, and all the public signatures of the API name. */
  private static final Set<String> API = Set.of("", "primer", "errors", "sql", "http");

  @Test
  void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
    Map<String, Set<String>> used = uses(SOURCES);
    assertEquals(ALLOWED.keySet(), used.keySet(), "packages under io.kck (a new one needs its rule here)");
    List<String> broken = new ArrayList<>();
    used.forEach((from, targets) -> targets.stream()
        .filter(to -> !to.equals(from) && !ALLOWED.get(from).contains(to))
        .forEach(to -> broken.add(name(from) + " uses " + name(to))));
    assertTrue(broken.isEmpty(), "imports that break the layering: " + broken);
  }

  @Test
  void theAllowedDirectionsHaveNoCycle() {
    for (String start : ALLOWED.keySet()) {
      List<String> cycle = cycleFrom(start, start, ALLOWED, new ArrayList<>(List.of(start)), new TreeSet<>());
      assertTrue(cycle.isEmpty(), "the table itself allows a cycle: " + cycle);
    }
  }

  @Test
  void noPackagesDependOnEachOtherInACycle() throws IOException {
    Map<String, Set<String>> used = uses(SOURCES);
    for (String start : used.keySet()) {
      List<String> cycle = cycleFrom(start, start, used, new ArrayList<>(List.of(start)), new TreeSet<>());
      assertTrue(cycle.isEmpty(), "a cycle between packages: " + cycle);
    }
  }

  /**
   * The largest set of classes that all reach each other (a strongly connected component of the
   * class graph jdeps reads from the compiled classes, nested classes folded into their outer
   * class) has at most ten members: a knot larger than that cannot be read, tested or changed in parts.
   */
  @Test
  void noKnotOfMoreThanTenClasses() {
    Map<String, Set<String>> graph = classGraph();
    assertTrue(graph.size() > 100, "jdeps read the classes of " + CLASSES + ": " + graph.size());
    List<Set<String>> knots = Knots.of(graph);
    Set<String> largest = knots.stream().max(java.util.Comparator.comparingInt(Set::size)).orElse(Set.of());
    assertTrue(largest.size() <= LARGEST_KNOT, largest.size() + " classes reach each other: " + largest);
  }

  /** What an application writes: the samples' main sources (their tests may reach further, to cut a database). */
  @Test
  void theSamplesImportOnlyTheApi() throws IOException {
    Map<String, Set<String>> used = new TreeMap<>();
    try (Stream<Path> samples = Files.list(SAMPLES)) {
      for (Path main : samples.map(sample -> sample.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
        uses(main).forEach((from, targets) -> used.computeIfAbsent(from, name -> new TreeSet<>()).addAll(targets));
      }
    }
    List<String> engine = new ArrayList<>();
    used.forEach((from, targets) -> targets.stream().filter(to -> !API.contains(to))
        .forEach(to -> engine.add(from + " uses " + name(to))));
    assertFalse(used.isEmpty(), "the samples' sources were read");
    assertTrue(engine.isEmpty(), "samples that use KCK's engine: " + engine);
  }

  /**
   * What a module exporting only the API would refuse to compile (docs/architecture.md, "Why no
   * named module"): every public type of the API packages, read from the compiled classes, names
   * in its public and protected signatures (supertypes, fields, constructors, methods, record
   * components, permitted subtypes) no type of KCK outside the API.
   */
  @Test
  void thePublicApiNamesNoEngineType() throws Exception {
    List<Class<?>> types = publicApiTypes();
    assertTrue(types.size() > 50, "public types of the API read from " + CLASSES + ": " + types.size());
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : types) {
      for (String signature : signatures(type)) {
        Matcher named = QUALIFIED.matcher(signature);
        while (named.find()) {
          String pkg = named.group(1).isEmpty() ? "" : named.group(1).substring(0, named.group(1).length() - 1);
          if (!API.contains(pkg)) {
            leaks.add(type.getName() + ": " + signature);
            break;
          }
        }
      }
    }
    assertTrue(leaks.isEmpty(), "public signatures of the API that name types outside it: " + leaks);
  }

  /** The public types (nested ones too, when every enclosing type is public) of the API packages' classes. */
  private static List<Class<?>> publicApiTypes() throws IOException, ClassNotFoundException {
    List<Class<?>> types = new ArrayList<>();
    for (String pkg : new TreeSet<>(API)) {
      Path dir = pkg.isEmpty() ? CLASSES.resolve("io/kck") : CLASSES.resolve("io/kck/" + pkg.replace('.', '/'));
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.filter(path -> path.toString().endsWith(".class")).sorted().toList()) {
          String simple = file.getFileName().toString().replace(".class", "");
          if (simple.equals("package-info") || simple.equals("module-info")) {
            continue;
          }
          Class<?> type = Class.forName(name(pkg) + "." + simple, false, ArchitectureTest.class.getClassLoader());
          if (visible(type)) {
            types.add(type);
          }
        }
      }
    }
    return types;
  }

  private static boolean visible(Class<?> type) {
    for (Class<?> at = type; at != null; at = at.getDeclaringClass()) {
      if (!Modifier.isPublic(at.getModifiers()) || at.isAnonymousClass() || at.isLocalClass() || at.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  /** Everything of {@code type} an application compiles against, each as Java writes it. */
  private static List<String> signatures(Class<?> type) {
    List<String> signatures = new ArrayList<>();
    signatures.add("extends " + (type.getGenericSuperclass() == null ? "" : type.getGenericSuperclass().getTypeName()));
    for (java.lang.reflect.Type face : type.getGenericInterfaces()) {
      signatures.add("implements " + face.getTypeName());
    }
    for (java.lang.reflect.TypeVariable<?> variable : type.getTypeParameters()) {
      for (java.lang.reflect.Type bound : variable.getBounds()) {
        signatures.add(variable.getName() + " extends " + bound.getTypeName());
      }
    }
    if (type.isSealed()) {
      for (Class<?> permitted : type.getPermittedSubclasses()) {
        signatures.add("permits " + permitted.getName());
      }
    }
    if (type.isRecord()) {
      for (java.lang.reflect.RecordComponent component : type.getRecordComponents()) {
        signatures.add("record component " + component.getGenericType().getTypeName() + " " + component.getName());
      }
    }
    for (java.lang.reflect.Field field : type.getDeclaredFields()) {
      if (exposed(field.getModifiers()) && !field.isSynthetic()) {
        signatures.add(field.toGenericString());
      }
    }
    for (java.lang.reflect.Constructor<?> constructor : type.getDeclaredConstructors()) {
      if (exposed(constructor.getModifiers()) && !constructor.isSynthetic()) {
        signatures.add(constructor.toGenericString());
      }
    }
    for (Method method : type.getDeclaredMethods()) {
      if (exposed(method.getModifiers()) && !method.isSynthetic()) {
        signatures.add(method.toGenericString());
      }
    }
    return signatures;
  }

  private static boolean exposed(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /**
   * For each package of the Java sources under {@code root}, the packages under io.kck its sources
   * name (imports and qualified names), relative to io.kck ("" for io.kck itself).
   */
  private static Map<String, Set<String>> uses(Path root) throws IOException {
    Map<String, Set<String>> used = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
        String source = withoutComments(Files.readString(file));
        Matcher declared = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE).matcher(source);
        String from = declared.find() ? relative(declared.group(1)) : "";
        Set<String> targets = used.computeIfAbsent(from, name -> new TreeSet<>());
        for (Pattern pattern : List.of(IMPORT, QUALIFIED)) {
          Matcher matcher = pattern.matcher(source);
          while (matcher.find()) {
            String segments = matcher.group(1);
            targets.add(segments.isEmpty() ? "" : segments.substring(0, segments.length() - 1));
          }
        }
      }
    }
    return used;
  }

  private static String relative(String pkg) {
    return pkg.equals("io.kck") ? "" : pkg.startsWith("io.kck.") ? pkg.substring("io.kck.".length()) : pkg;
  }

  /** Class to the classes it uses, from jdeps on the compiled classes; nested classes folded into their outer class. */
  private static Map<String, Set<String>> classGraph() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
    StringWriter out = new StringWriter();
    int status = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
        "-verbose:class", "-filter:none", CLASSES.toString());
    assertEquals(0, status, "jdeps on " + CLASSES);
    Pattern edge = Pattern.compile("^\\s+(io\\.kck\\.[\\w.$]+)\\s+->\\s+(io\\.kck\\.[\\w.$]+)", Pattern.MULTILINE);
    Map<String, Set<String>> graph = new TreeMap<>();
    Matcher matcher = edge.matcher(out.toString());
    while (matcher.find()) {
      String from = outer(matcher.group(1));
      String to = outer(matcher.group(2));
      graph.computeIfAbsent(from, name -> new TreeSet<>());
      graph.computeIfAbsent(to, name -> new TreeSet<>());
      if (!from.equals(to)) {
        graph.get(from).add(to);
      }
    }
    return graph;
  }

  private static String outer(String className) {
    int nested = className.indexOf('$');
    return nested < 0 ? className : className.substring(0, nested);
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

  /** The strongly connected components of a graph (Tarjan's algorithm): sets of nodes that all reach each other. */
  private static final class Knots {
    private final Map<String, Set<String>> graph;
    private final Map<String, Integer> index = new java.util.HashMap<>();
    private final Map<String, Integer> low = new java.util.HashMap<>();
    private final java.util.Deque<String> stack = new java.util.ArrayDeque<>();
    private final Set<String> onStack = new java.util.HashSet<>();
    private final List<Set<String>> found = new ArrayList<>();

    private Knots(Map<String, Set<String>> graph) {
      this.graph = graph;
    }

    static List<Set<String>> of(Map<String, Set<String>> graph) {
      Knots knots = new Knots(graph);
      graph.keySet().forEach(node -> {
        if (!knots.index.containsKey(node)) {
          knots.visit(node);
        }
      });
      return knots.found;
    }

    private void visit(String node) {
      index.put(node, index.size());
      low.put(node, index.get(node));
      stack.push(node);
      onStack.add(node);
      for (String next : graph.getOrDefault(node, Set.of())) {
        if (!index.containsKey(next)) {
          visit(next);
          low.put(node, Math.min(low.get(node), low.get(next)));
        } else if (onStack.contains(next)) {
          low.put(node, Math.min(low.get(node), index.get(next)));
        }
      }
      if (low.get(node).equals(index.get(node))) {
        Set<String> knot = new TreeSet<>();
        String member;
        do {
          member = stack.pop();
          onStack.remove(member);
          knot.add(member);
        } while (!member.equals(node));
        found.add(knot);
      }
    }
  }
}
