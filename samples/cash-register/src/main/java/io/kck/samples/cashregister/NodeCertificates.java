package io.kck.samples.cashregister;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The certificate a cluster's nodes prove themselves with over Akka's tls-tcp transport, made with
 * the JDK's keytool: a key pair and its self-signed certificate ({@code node.p12}), the store of
 * certificates a node accepts ({@code trust.p12}, holding that one), and their random password
 * ({@code password}); every file owner-only. Every node of one cluster uses the same directory
 * (copied to each machine); a node with another certificate cannot connect, so it cannot join or
 * send a message. For a real deployment use certificates from your own CA instead (README,
 * "Running a cluster").
 *
 * <p>Run as a program to make them: {@code java ... NodeCertificates <directory>} prints the
 * environment a node needs (KCK_TLS_*).
 */
public final class NodeCertificates {
  private NodeCertificates() {}

  public static void main(String[] args) throws Exception {
    Path directory = Path.of(args[0]);
    ensure(directory);
    System.out.println("KCK_TLS_KEY_STORE=" + directory.resolve("node.p12").toAbsolutePath());
    System.out.println("KCK_TLS_TRUST_STORE=" + directory.resolve("trust.p12").toAbsolutePath());
    System.out.println("KCK_TLS_PASSWORD=" + password(directory));
  }

  /**
   * The certificates in {@code directory}, made if absent, as the settings of Akka's {@code
   * akka.remote.artery.ssl.config-ssl-engine} (the rest of it is in conf/application.conf).
   */
  public static Config ensure(Path directory) throws IOException, InterruptedException {
    Path keyStore = directory.resolve("node.p12");
    Path trustStore = directory.resolve("trust.p12");
    if (!Files.exists(keyStore) || !Files.exists(trustStore)) {
      Files.createDirectories(directory);
      String password = randomPassword();
      Path passwordFile = directory.resolve("password");
      Files.deleteIfExists(passwordFile);
      Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(passwordFile, password);
      Files.deleteIfExists(keyStore);
      Files.deleteIfExists(trustStore);
      Path certificate = directory.resolve("node.crt");
      keytool("-genkeypair", "-alias", "kck-node", "-keyalg", "RSA", "-keysize", "2048", "-validity", "365",
          "-dname", "CN=kck-node", "-keystore", keyStore.toString(), "-storetype", "PKCS12",
          "-storepass", password, "-keypass", password);
      keytool("-exportcert", "-alias", "kck-node", "-keystore", keyStore.toString(), "-storepass", password,
          "-file", certificate.toString());
      keytool("-importcert", "-noprompt", "-alias", "kck-node", "-file", certificate.toString(),
          "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", password);
      for (Path file : List.of(keyStore, trustStore, certificate)) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
    }
    String password = password(directory);
    return ConfigFactory.parseMap(Map.of(
        "akka.remote.artery.ssl.config-ssl-engine.key-store", keyStore.toAbsolutePath().toString(),
        "akka.remote.artery.ssl.config-ssl-engine.trust-store", trustStore.toAbsolutePath().toString(),
        "akka.remote.artery.ssl.config-ssl-engine.key-store-password", password,
        "akka.remote.artery.ssl.config-ssl-engine.key-password", password,
        "akka.remote.artery.ssl.config-ssl-engine.trust-store-password", password));
  }

  private static String password(Path directory) throws IOException {
    return Files.readString(directory.resolve("password")).trim();
  }

  private static void keytool(String... arguments) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("keytool " + arguments[0] + " failed: " + output);
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
