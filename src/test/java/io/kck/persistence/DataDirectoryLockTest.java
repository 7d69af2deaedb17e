package io.kck.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM that finds an embedded PostgreSQL running on its data directory stops it only when it is
 * an orphan (its JVM died): while another live process holds zonky's lock, it is left alone.
 */
class DataDirectoryLockTest {

  /** Run in a child JVM: holds the lock of the directory in args[0] until its input closes. */
  public static void main(String[] args) throws Exception {
    try (FileChannel channel = FileChannel.open(Path.of(args[0], "epg-lock"), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      System.out.println("locked");
      System.out.flush();
      System.in.read();
    }
  }

  @Test
  void aServerIsAnOrphanOnlyOnceTheProcessThatHoldsItsLockIsGone(@TempDir Path directory) throws Exception {
    Files.createFile(directory.resolve("epg-lock"));
    assertTrue(EmbeddedPostgresServer.orphaned(directory), "nobody holds the lock");

    Process holder = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), DataDirectoryLockTest.class.getName(), directory.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      assertEquals("locked", new String(holder.getInputStream().readNBytes(6)), "the child holds the lock");
      assertFalse(EmbeddedPostgresServer.orphaned(directory), "a live process holds the lock");
    } finally {
      holder.getOutputStream().close();
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "the child ends when its input closes");
    }
    assertTrue(EmbeddedPostgresServer.orphaned(directory), "the lock went with its process");
    assertTrue(new File(directory.toFile(), "epg-lock").exists());
  }
}
