package io.kck.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.kck.testing.Eventually;
import io.kck.testing.TestNodes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three JVMs on this machine form one cluster through Cluster Bootstrap with config discovery
 * (loopback ports, no seed node anywhere), as issue 31 asks, and every node reads the same keys,
 * each computed once in the whole cluster. Each node is a {@link BootstrapNode} process sharing
 * the suite's PostgreSQL (a database of its own); its output is in target/bootstrap-jvms/.
 */
class BootstrapJvmsTest {
  /**
   * For a node in a JVM of its own. Three JVMs start at once beside the suite: on a busy 2-core
   * machine Akka's logger can take longer than its default 5 s to start.
   */
  static final String JVM_CONFIG = """
      akka.actor.serialize-messages = off
      akka.logger-startup-timeout = 30s
      """;

  final List<Process> processes = new ArrayList<>();

  @AfterEach
  void stopProcesses() {
    for (Process process : processes) {
      process.destroyForcibly();
    }
  }

  /** The last line each node printed that reports reads. */
  static String lastRead(List<String> output) {
    for (int i = output.size() - 1; i >= 0; i--) {
      if (output.get(i).contains(" READ ")) {
        return output.get(i);
      }
    }
    return "";
  }

  @Test
  void threeJvmsFormOneClusterThroughConfigDiscovery() throws Exception {
    // The database reaches the nodes through the environment, so that no password is written to a file.
    Config database = ConfigFactory.parseString(TestNodes.ownDatabase("cluster_bootstrap_jvms"));
    List<Integer> ports = BootstrapTest.freePorts(3);
    Path folder = Files.createDirectories(Path.of("target/bootstrap-jvms"));
    try (var earlier = Files.list(folder)) { // an earlier run's nodes
      for (Path file : earlier.filter(file -> file.getFileName().toString().startsWith("node-")).toList()) {
        Files.delete(file);
      }
    }
    List<List<String>> outputs = new ArrayList<>();
    for (int port : ports) {
      Config config = BootstrapTest.bootstrapConfig(port, ports)
          .withFallback(TestNodes.config(""))
          .withFallback(ConfigFactory.parseString(JVM_CONFIG));
      Path file = folder.resolve("node-" + port + ".conf");
      Files.writeString(file, config.root().render(ConfigRenderOptions.defaults().setOriginComments(false)));
      outputs.add(start(BootstrapNode.class, System.getProperty("java.class.path"), file, database,
          folder.resolve("node-" + port + ".log")));
      if (outputs.size() == 1) {
        // The others start once the first has created KCK's tables in the empty database: nodes that
        // create them at the same moment can collide in PostgreSQL (CREATE TABLE IF NOT EXISTS is
        // not safe against a concurrent one; KCK's schema creation does not guard against that yet).
        Eventually.until("the first node started (target/bootstrap-jvms/)", Duration.ofSeconds(60),
            () -> outputs.get(0).stream().anyMatch(line -> line.startsWith("STARTED") || line.startsWith("FAILED"))
                || !processes.get(0).isAlive(), started -> started);
      }
    }

    // Every node sees three members Up and reads all keys alike; the cluster computed each once.
    // A node that exits ends the wait at once (with what it printed).
    List<String> reads = Eventually.until(
        "three JVMs in one cluster, reading the same " + BootstrapNode.KEYS + " keys (target/bootstrap-jvms/)",
        Duration.ofSeconds(90), () -> {
          for (int i = 0; i < processes.size(); i++) {
            if (!processes.get(i).isAlive()) {
              return List.of("EXITED " + processes.get(i).exitValue() + ":\n" + String.join("\n", outputs.get(i)));
            }
          }
          return outputs.stream().map(BootstrapJvmsTest::lastRead).toList();
        }, seen -> {
          if (seen.get(0).startsWith("EXITED")) {
            return true;
          }
          Set<String> values = new HashSet<>();
          int computes = 0;
          for (String read : seen) {
            if (read.isEmpty() || read.contains("Exception")) {
              return false;
            }
            values.add(read.substring(read.indexOf(" READ "), read.indexOf(" COMPUTES ")));
            computes += Integer.parseInt(read.substring(read.indexOf(" COMPUTES ") + 10).trim());
          }
          return values.size() == 1 && computes == BootstrapNode.KEYS;
        });
    assertFalse(reads.get(0).startsWith("EXITED"), "a node exited: " + reads.get(0));
    for (List<String> output : outputs) {
      assertEquals(1, output.stream().filter(line -> line.startsWith("STARTED")).count(), String.join("\n", output));
    }
  }

  /**
   * Starts {@code main} in a JVM of its own with {@code classPath}, its configuration file and the
   * database in its environment; returns the lines it prints (copied to {@code log} too).
   */
  List<String> start(Class<?> main, String classPath, Path file, Config database, Path log) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(javaBin, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classPath,
        main.getName(), file.toString())
        .redirectErrorStream(true);
    builder.environment().put("KCK_DB_URL", database.getString("kck.database.url"));
    builder.environment().put("KCK_DB_USER", database.getString("kck.database.user"));
    builder.environment().put("KCK_DB_PASSWORD", database.getString("kck.database.password"));
    Process process = builder.start();
    processes.add(process);
    List<String> output = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        Files.deleteIfExists(log);
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          output.add(line);
          Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
      } catch (java.io.IOException e) {
        // the process ended
      }
    }, main.getSimpleName() + "-output");
    reader.setDaemon(true);
    reader.start();
    return output;
  }

  /**
   * An application that does not add Akka Management gets none of it from KCK (optional
   * dependencies), starts KCK as usual, and is told which artifacts to add when it switches
   * bootstrap on: a JVM whose class path is this test's without Akka Management's jars.
   */
  @Test
  void withoutAkkaManagementKckStartsAndBootstrapNamesTheArtifactsToAdd() throws Exception {
    Config database = ConfigFactory.parseString(TestNodes.ownDatabase("cluster_without_management"));
    Path folder = Files.createDirectories(Path.of("target/bootstrap-jvms"));
    List<String> classPath = List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator));
    List<String> withoutManagement = classPath.stream()
        .filter(entry -> !entry.contains("akka-management") && !entry.contains("akka-discovery")
            && !entry.contains("spray-json"))
        .toList();
    assertTrue(classPath.size() - withoutManagement.size() >= 5,
        "Akka Management's jars were not found on the test class path: " + classPath);
    Path file = folder.resolve("without-management.conf");
    Files.writeString(file, TestNodes.config(JVM_CONFIG).root().render(ConfigRenderOptions.defaults().setOriginComments(false)));
    List<String> output = start(WithoutManagementNode.class, String.join(java.io.File.pathSeparator, withoutManagement),
        file, database, folder.resolve("without-management.log"));
    Process process = processes.get(processes.size() - 1);
    assertTrue(process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "the JVM without Akka Management did not exit");
    String printed = String.join("\n", output);
    assertTrue(output.contains("AKKA MANAGEMENT ON THE CLASS PATH: false"), printed);
    assertTrue(output.contains("WITHOUT BOOTSTRAP: STARTED"), printed);
    String refused = output.stream().filter(line -> line.startsWith("WITH BOOTSTRAP: ")).findFirst().orElse(printed);
    assertTrue(refused.startsWith("WITH BOOTSTRAP: IllegalStateException: kck.cluster.bootstrap = on needs Akka Management"),
        refused);
    for (String artifact : List.of("com.lightbend.akka.management:akka-management_2.13:1.4.0",
        "com.lightbend.akka.management:akka-management-cluster-bootstrap_2.13:1.4.0",
        "com.lightbend.akka.discovery:akka-discovery-kubernetes-api_2.13:1.4.0")) {
      assertTrue(refused.contains(artifact), refused);
    }
  }
}
