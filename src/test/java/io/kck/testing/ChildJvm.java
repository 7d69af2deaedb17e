package io.kck.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A KCK node in a JVM of its own, for tests that kill a node outright (SIGKILL: no shutdown hook,
 * no goodbye to the database): the {@code main} method of a test class, run with this test run's
 * class path. Its output is read line by line as it comes, kept ({@link #lines()}) and handed to a
 * listener; its errors are discarded. For tests only.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final Thread reader;

  private ChildJvm(Class<?> main, Consumer<String> onLine, String... arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(arguments));
    process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
          onLine.accept(line);
        }
      } catch (IOException e) {
        // the node was killed
      }
    }, main.getSimpleName() + "-node-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code main} with {@code arguments}; {@code onLine} hears each line it prints, on the reading thread. */
  public static ChildJvm start(Class<?> main, Consumer<String> onLine, String... arguments) throws IOException {
    return new ChildJvm(main, onLine, arguments);
  }

  /** Starts {@code main} with {@code arguments}. */
  public static ChildJvm start(Class<?> main, String... arguments) throws IOException {
    return new ChildJvm(main, line -> {}, arguments);
  }

  /** The lines it printed so far (a copy). */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Its standard input. */
  public OutputStream input() {
    return process.getOutputStream();
  }

  /** Kills it (SIGKILL), and waits until it is gone and every line it printed has been read. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the node is gone");
    reader.join(10_000);
  }

  /** Kills it, if it still runs. */
  @Override
  public void close() {
    process.destroyForcibly();
  }
}
