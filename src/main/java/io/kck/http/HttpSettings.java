package io.kck.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code kck.http.*}, read and checked once when the service starts: a bad value fails the start
 * naming its path, and an exposed interface without a write token is refused.
 */
record HttpSettings(
    String host,
    int port,
    BearerToken writeToken,
    BearerToken readToken,
    boolean openWrites,
    String defaultReads,
    Set<String> allowedHosts,
    Set<String> allowedOrigins,
    long maxBody,
    JsonLimits json,
    int bulkMaxKeys,
    int bulkParallelism,
    int maxStreams,
    int maxStreamsPerClient,
    Duration streamKeepAlive,
    int maxConnections,
    int maxConnectionsPerClient,
    int healthConnections,
    Duration idleTimeout,
    ClientAddresses clients,
    Duration anonymousComputeInterval,
    int anonymousComputeKeys,
    Duration requestTimeout,
    boolean exposeErrors) {

  /** How much slack the HTTP timeout leaves KCK's own request timeout to answer first. */
  static final Duration TIMEOUT_SLACK = Duration.ofSeconds(5);

  record JsonLimits(int maxDepth, int maxNumberLength, int maxStringLength, int maxNameLength) {}

  /** The settings of {@code config} ({@code kck.http}), listening on {@code host}:{@code port}. */
  static HttpSettings of(Config config, String host, int port) {
    Config http = config.getConfig("kck.http");
    try {
      Duration kckTimeout = config.getDuration("kck.request-timeout");
      Duration requestTimeout = http.getString("request-timeout").equals("auto")
          ? kckTimeout.plus(TIMEOUT_SLACK) : http.getDuration("request-timeout");
      if (requestTimeout.compareTo(kckTimeout) <= 0) {
        throw new IllegalArgumentException("kck.http.request-timeout (" + requestTimeout + ") must be above"
            + " kck.request-timeout (" + kckTimeout + "), or KCK's own timeout never answers: use auto");
      }
      String reads = http.getString("reads");
      ReadPolicy.parse("kck.http.reads", reads);
      Set<String> hosts = new TreeSet<>();
      http.getStringList("allowed-hosts").forEach(name -> hosts.add(normalHost(name)));
      if (isSpecific(host)) {
        hosts.add(normalHost(host));
      }
      Set<String> origins = new TreeSet<>();
      http.getStringList("allowed-origins").forEach(origin -> origins.add(origin.toLowerCase(Locale.ROOT)));
      long maxBody = http.getBytes("max-body");
      Config json = http.getConfig("json");
      HttpSettings settings = new HttpSettings(
          host,
          port,
          BearerToken.of(http.getString("write-token")),
          BearerToken.of(http.getString("read-token")),
          http.getBoolean("open-writes"),
          reads,
          Set.copyOf(hosts),
          Set.copyOf(origins),
          maxBody,
          new JsonLimits(json.getInt("max-depth"), json.getInt("max-number-length"),
              (int) Math.min(Integer.MAX_VALUE, maxBody), json.getInt("max-name-length")),
          http.getInt("bulk.max-keys"),
          http.getInt("bulk.parallelism"),
          http.getInt("streams.max"),
          http.getInt("streams.max-per-client"),
          http.getDuration("streams.keep-alive"),
          http.getInt("max-connections"),
          http.getInt("max-connections-per-client"),
          http.getInt("health-connections"),
          http.getDuration("idle-timeout"),
          ClientAddresses.of("kck.http.trusted-proxies", http.getStringList("trusted-proxies")),
          http.getDuration("anonymous-computes.interval"),
          http.getInt("anonymous-computes.max-keys"),
          requestTimeout,
          http.getBoolean("expose-errors"));
      settings.check();
      return settings;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("kck.http: " + e.getMessage(), e);
    }
  }

  private void check() {
    boolean loopback = isLoopback(host);
    if (!loopback && writeToken.isEmpty()) {
      throw new IllegalStateException("KCK's HTTP service refuses to listen on " + host + " without"
          + " kck.http.write-token: every host that reaches it could write. Set write-token (and read-token,"
          + " allowed-hosts), or listen on 127.0.0.1");
    }
    if (openWrites && !loopback) {
      throw new IllegalStateException("kck.http.open-writes is allowed only on a loopback interface, not " + host);
    }
    positive("max-body", maxBody);
    positive("json.max-depth", json.maxDepth());
    positive("json.max-number-length", json.maxNumberLength());
    positive("json.max-name-length", json.maxNameLength());
    positive("bulk.max-keys", bulkMaxKeys);
    positive("bulk.parallelism", bulkParallelism);
    positive("streams.max-per-client", maxStreamsPerClient);
    positive("max-connections", maxConnections);
    positive("max-connections-per-client", maxConnectionsPerClient);
    positive("health-connections", healthConnections);
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("kck.http.idle-timeout must be above 0s, got " + idleTimeout);
    }
    positive("anonymous-computes.max-keys", anonymousComputeKeys);
    if (anonymousComputeInterval.isNegative()) {
      throw new IllegalArgumentException("kck.http.anonymous-computes.interval must not be negative, got "
          + anonymousComputeInterval);
    }
    if (maxStreams < 0 || maxStreams >= maxConnections) {
      throw new IllegalArgumentException("kck.http.streams.max (" + maxStreams + ") must be 0 or more and below"
          + " kck.http.max-connections (" + maxConnections + "): streams must leave room for ordinary requests");
    }
  }

  /** Whether writes need no token (none is set and open-writes allows it). */
  boolean writesOpen() {
    return writeToken.isEmpty() && openWrites;
  }

  /** Host names compare without brackets and case. */
  static String normalHost(String host) {
    String plain = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return plain.toLowerCase(Locale.ROOT);
  }

  static boolean isLoopback(String host) {
    String plain = normalHost(host);
    if (plain.equals("localhost")) {
      return true;
    }
    try {
      return isLiteral(plain) && InetAddress.getByName(plain).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean isSpecific(String host) {
    String plain = normalHost(host);
    if (!isLiteral(plain)) {
      return !plain.isEmpty();
    }
    try {
      return !InetAddress.getByName(plain).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** An IP address literal (resolving it does not ask DNS). */
  private static boolean isLiteral(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException("kck.http." + name + " must be at least 1, got " + value);
    }
  }

  /** For log lines: the tokens are never shown. */
  List<String> summary() {
    List<String> lines = new ArrayList<>();
    lines.add("reads " + (readToken.isEmpty() ? "open" : "need a token") + ", writes "
        + (writeToken.isEmpty() ? (openWrites ? "open (loopback)" : "closed") : "need a token"));
    lines.add("keys without a value: " + defaultReads + " unless a primer says otherwise");
    return lines;
  }
}
