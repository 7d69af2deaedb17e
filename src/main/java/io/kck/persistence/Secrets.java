package io.kck.persistence;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * The passwords of one embedded PostgreSQL, each in a file of its data directory that only its
 * owner may read or write (0600): KCK's own (the superuser {@code postgres}) and the read-only
 * role's. 32 random bytes each, as URL-safe Base64 (no character that SQL or a config file would
 * need to quote).
 */
record Secrets(String superuser, String reader) {
  static final String SUPERUSER_FILE = "kck-password";
  static final String READER_FILE = "kck-reader-password";
  private static final SecureRandom random = new SecureRandom();
  private static final boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  static Secrets generate() {
    return new Secrets(randomPassword(), randomPassword());
  }

  /** The passwords stored in {@code directory}, or empty when it has none (an older KCK's server). */
  static Optional<Secrets> read(Path directory) throws IOException {
    Path superuser = directory.resolve(SUPERUSER_FILE);
    if (!Files.exists(superuser)) {
      return Optional.empty();
    }
    Path reader = directory.resolve(READER_FILE);
    String readerPassword = Files.exists(reader) ? Files.readString(reader).trim() : randomPassword();
    if (!Files.exists(reader)) {
      writePrivate(reader, readerPassword);
    }
    return Optional.of(new Secrets(Files.readString(superuser).trim(), readerPassword));
  }

  /** The password of {@code directory}'s superuser as stored there, for tools and tests on this machine. */
  static String storedSuperuser(Path directory) throws IOException {
    return Files.readString(directory.resolve(SUPERUSER_FILE)).trim();
  }

  void write(Path directory) throws IOException {
    writePrivate(directory.resolve(SUPERUSER_FILE), superuser);
    writePrivate(directory.resolve(READER_FILE), reader);
  }

  /** The superuser's password in a file for initdb, in a new directory only this user can enter. */
  static Path pendingSuperuserFile(Secrets secrets) throws IOException {
    Path directory = posix
        ? Files.createTempDirectory("kck-initdb-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
        : Files.createTempDirectory("kck-initdb-");
    Path file = directory.resolve("pwfile");
    writePrivate(file, secrets.superuser());
    return file;
  }

  static void deletePending(Path file) throws IOException {
    Files.deleteIfExists(file);
    Files.deleteIfExists(file.getParent());
  }

  private static void writePrivate(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    if (posix) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, content + "\n", StandardOpenOption.TRUNCATE_EXISTING);
  }

  private static String randomPassword() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
