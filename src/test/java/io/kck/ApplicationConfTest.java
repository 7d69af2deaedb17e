package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The project's runnable configuration, {@code conf/application.conf}, honours the environment
 * variables its comments and the docs promise. A JVM cannot change its own environment, so the
 * test starts a second JVM with the variable set and reads the setting as a node started with
 * {@code -Dconfig.file=conf/application.conf} would.
 */
@Tag("unit")
class ApplicationConfTest {
  private static final String DATA_DIRECTORY = "kck.database.embedded.data-directory";

  @Test
  void kckDataDirMovesTheEmbeddedDatabase() throws Exception {
    assertEquals("/srv/kck-elsewhere", settingIn("/srv/kck-elsewhere"));
  }

  @Test
  void withoutKckDataDirTheDefaultHolds() throws Exception {
    assertEquals("kck-data/postgres", settingIn(null));
  }

  /** The data directory that conf/application.conf gives with KCK_DATA_DIR = {@code dataDir} (unset: null). */
  private static String settingIn(String dataDir) throws IOException, InterruptedException {
    ProcessBuilder java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Dconfig.file=conf/application.conf",
        PrintSetting.class.getName(), DATA_DIRECTORY);
    java.environment().remove("KCK_DATA_DIR");
    if (dataDir != null) {
      java.environment().put("KCK_DATA_DIR", dataDir);
    }
    java.redirectErrorStream(true);
    Process process = java.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new AssertionError("the child JVM failed: " + output);
    }
    return output;
  }

  /** Prints one setting of the configuration ConfigFactory loads (what an ActorSystem is given). */
  public static final class PrintSetting {
    public static void main(String[] args) {
      System.out.print(ConfigFactory.load().getString(args[0]));
    }
  }
}
