package io.kck.entity.node;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether this node's cluster port is open to anyone who reaches it: Artery over plain TCP (or
 * Aeron UDP) on an address other than loopback. Whoever connects there can join the cluster and
 * send a key a {@code Put} or an {@code Invalidate} without the HTTP token, so {@code Kck.start}
 * refuses it unless the application says {@code kck.cluster.allow-plaintext-remoting = on}, as
 * the HTTP service refuses a public address without a token. Pure: it reads the resolved
 * configuration and the address the node actually uses, and changes nothing.
 */
final class RemotingExposure {
  static final String ALLOW = "kck.cluster.allow-plaintext-remoting";

  /** What {@link #of} found. */
  enum Verdict {
    /** TLS, or an address only this machine reaches. */
    CLOSED,
    /** Plain remoting on a reachable address, allowed by {@link #ALLOW}: starts, with a warning. */
    OPEN_BY_CHOICE,
    /** Plain remoting on a reachable address, not allowed: the start fails. */
    REFUSED
  }

  private RemotingExposure() {}

  /**
   * The verdict for a node whose remoting advertises {@code canonicalHost} (the ActorSystem's own
   * address, Akka's {@code <getHostAddress>} already resolved).
   */
  static Verdict of(Config config, String canonicalHost) {
    if (!plaintext(config) || loopbackOnly(boundHost(config, canonicalHost))) {
      return Verdict.CLOSED;
    }
    return config.getBoolean(ALLOW) ? Verdict.OPEN_BY_CHOICE : Verdict.REFUSED;
  }

  /** Why the start fails, naming the setting and the TLS alternative. */
  static String refusal(Config config, String canonicalHost, int port) {
    return "KCK refuses to start: the cluster's remoting listens on plain " + transport(config) + " at "
        + boundHost(config, canonicalHost) + ":" + port + ", an address other machines may reach, and whoever"
        + " reaches it can join the cluster and send keys a Put or an Invalidate without the HTTP token. Use TLS"
        + " with mutual authentication (akka.remote.artery.transport = tls-tcp and"
        + " akka.remote.artery.ssl.config-ssl-engine.require-mutual-authentication = on, with a CA of this cluster's"
        + " own; see conf/application.conf and docs/security.md), or keep remoting on loopback"
        + " (akka.remote.artery.canonical.hostname = \"127.0.0.1\") for one node, or, on a network only the"
        + " cluster's nodes reach, set " + ALLOW + " = on";
  }

  /** The warning of a node that runs open because the application said so. */
  static String warning(Config config, String canonicalHost, int port) {
    return "The cluster's remoting listens on plain " + transport(config) + " at " + boundHost(config, canonicalHost)
        + ":" + port + " because " + ALLOW + " = on: whoever reaches that port can join the cluster and send"
        + " keys a Put or an Invalidate without the HTTP token. Use akka.remote.artery.transport = tls-tcp"
        + " unless only the cluster's nodes reach this network";
  }

  /**
   * A warning for TLS that asks nothing of whoever connects, on a reachable address: Akka's
   * config-ssl-engine with require-mutual-authentication = off lets a client without a
   * certificate connect and send messages, as plain TCP would; empty otherwise.
   */
  static Optional<String> weakTls(Config config, String canonicalHost, int port) {
    String ssl = "akka.remote.artery.ssl.";
    if (plaintext(config) || !config.getBoolean("akka.remote.artery.enabled")
        || !config.getString(ssl + "ssl-engine-provider").equals("akka.remote.artery.tcp.ConfigSSLEngineProvider")
        || config.getBoolean(ssl + "config-ssl-engine.require-mutual-authentication")
        || loopbackOnly(boundHost(config, canonicalHost))) {
      return Optional.empty();
    }
    return Optional.of("The cluster's remoting at " + boundHost(config, canonicalHost) + ":" + port + " runs TLS with "
        + ssl + "config-ssl-engine.require-mutual-authentication = off: a host without a certificate can connect and"
        + " send keys a Put or an Invalidate. Turn it on (docs/security.md)");
  }

  private static boolean plaintext(Config config) {
    if (!config.getBoolean("akka.remote.artery.enabled")) {
      // Akka's classic remoting (deprecated): plain unless every transport it enables is its SSL one.
      return !config.getStringList("akka.remote.classic.enabled-transports").stream()
          .allMatch(transport -> transport.endsWith(".ssl"));
    }
    return !transport(config).equals("tls-tcp");
  }

  private static String transport(Config config) {
    return config.getBoolean("akka.remote.artery.enabled")
        ? config.getString("akka.remote.artery.transport").toLowerCase(Locale.ROOT) : "classic remoting";
  }

  /** Where the port is bound: Artery's bind hostname, which defaults to the canonical one. */
  private static String boundHost(Config config, String canonicalHost) {
    String bind = config.hasPath("akka.remote.artery.bind.hostname")
        ? config.getString("akka.remote.artery.bind.hostname").trim() : "";
    return bind.isEmpty() ? canonicalHost : bind;
  }

  /** Whether every address {@code host} names is a loopback one (an unknown name is not). */
  private static boolean loopbackOnly(String host) {
    try {
      InetAddress[] addresses = InetAddress.getAllByName(stripBrackets(host));
      for (InetAddress address : addresses) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return addresses.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
