package io.kck.http;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.RemoteAddress;
import akka.http.javadsl.model.AttributeKeys;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who a request comes from, for the per-client caps: the address of the socket, never a header,
 * unless the socket belongs to a proxy listed in {@code kck.http.trusted-proxies}. Then its {@code
 * X-Forwarded-For} is read from the right (the hop the nearest proxy appended) to the left,
 * skipping listed proxies, and the first address that is not one is the client: whatever a
 * client writes into the header itself stands to the left of that, so it cannot choose its own
 * address. A hop that is not an IP address literal ends the walk at the proxy that reported it.
 * Nothing is ever resolved through DNS.
 *
 * <p>Immutable; safe from any thread.
 */
final class ClientAddresses {
  private final List<Cidr> trusted;

  ClientAddresses(List<Cidr> trusted) {
    this.trusted = List.copyOf(trusted);
  }

  /** The CIDRs of {@code kck.http.trusted-proxies}; a bad one fails naming {@code path} and the entry. */
  static ClientAddresses of(String path, List<String> cidrs) {
    List<Cidr> parsed = new ArrayList<>();
    for (String cidr : cidrs) {
      parsed.add(Cidr.parse(path, cidr));
    }
    return new ClientAddresses(parsed);
  }

  boolean isTrustedProxy(InetAddress address) {
    return trusted.stream().anyMatch(cidr -> cidr.contains(address));
  }

  /** The client of {@code request}, by the rule above; the socket's address when nothing better is known. */
  String of(HttpRequest request) {
    Optional<InetAddress> socket = request.getAttribute(AttributeKeys.remoteAddress).flatMap(RemoteAddress::getAddress);
    if (socket.isEmpty()) {
      return "?";
    }
    InetAddress client = socket.get();
    if (!isTrustedProxy(client)) {
      return client.getHostAddress();
    }
    List<String> hops = new ArrayList<>();
    request.getHeaders().forEach(header -> {
      if (header.is("x-forwarded-for")) {
        for (String hop : header.value().split(",")) {
          hops.add(hop.trim());
        }
      }
    });
    for (int i = hops.size() - 1; i >= 0; i--) {
      Optional<InetAddress> hop = literal(hops.get(i));
      if (hop.isEmpty()) {
        break;
      }
      client = hop.get();
      if (!isTrustedProxy(client)) {
        break;
      }
    }
    return client.getHostAddress();
  }

  /** An IPv4 or IPv6 literal (a port or brackets allowed, as some proxies write them); never a name. */
  static Optional<InetAddress> literal(String text) {
    String plain = text;
    if (plain.startsWith("[")) {
      int end = plain.indexOf(']');
      plain = end < 0 ? "" : plain.substring(1, end);
    } else if (plain.indexOf(':') == plain.lastIndexOf(':') && plain.indexOf(':') > 0) {
      plain = plain.substring(0, plain.indexOf(':')); // a.b.c.d:port
    }
    boolean v4 = plain.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = plain.contains(":") && plain.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(plain)); // a literal: parsed, not looked up
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** An address block, e.g. {@code 10.0.0.0/8}, {@code fd00::/8}, or one address. */
  record Cidr(byte[] network, int prefix) {
    static Cidr parse(String path, String text) {
      int slash = text.indexOf('/');
      Optional<InetAddress> address = literal(slash < 0 ? text.trim() : text.substring(0, slash).trim());
      if (address.isEmpty() || text.trim().startsWith("[")) {
        throw new IllegalArgumentException(path + ": '" + text + "' is not an address or CIDR block"
            + " (e.g. 10.0.0.0/8, fd00::/8, 192.0.2.7)");
      }
      byte[] bytes = address.get().getAddress();
      int prefix;
      try {
        prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1).trim());
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException(path + ": '" + text + "' has a prefix length outside 0.."
            + bytes.length * 8);
      }
      return new Cidr(bytes, prefix);
    }

    boolean contains(InetAddress address) {
      byte[] bytes = address.getAddress();
      if (bytes.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (bytes[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (bytes[full] & mask) == (network[full] & mask);
    }
  }
}
