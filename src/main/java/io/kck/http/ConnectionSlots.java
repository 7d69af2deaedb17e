package io.kck.http;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Who may hold a connection: at most {@code kck.http.max-connections-per-client} per client
 * address (the socket's; a trusted proxy's connections count only toward the total, as they carry
 * many clients), at most {@code kck.http.max-connections} in all, and past that a reserve of
 * {@code kck.http.health-connections} that answers only {@code /health/...} and closes after one
 * answer. A connection refused here is closed at once, before it is read.
 *
 * <p>The reserve, not a port of its own, because probes then need no second port opened, routed
 * and firewalled, and {@code /health/alive} on the service's own port is what tells that this
 * port answers. It holds because nothing keeps a slot long without using it: a connection
 * with no request in flight is closed after {@code kck.http.idle-timeout} ({@link
 * RequestDeadline}), and a client can take only its own share.
 *
 * <p>Thread-safe: connections are admitted and released on Akka's threads, under this object's lock.
 */
final class ConnectionSlots {
  /** A connection's slot: general, or the reserve's. Released once, when the connection ends. */
  record Slot(InetAddress client, boolean reserve, boolean proxy) {}

  private final int max;
  private final int maxPerClient;
  private final int reserve;
  private final ClientAddresses addresses;
  private final Map<InetAddress, Integer> perClient = new HashMap<>();
  private int general;
  private int reserved;

  ConnectionSlots(int max, int maxPerClient, int reserve, ClientAddresses addresses) {
    this.max = max;
    this.maxPerClient = maxPerClient;
    this.reserve = reserve;
    this.addresses = addresses;
  }

  /** A slot for a connection from {@code client}, or null: close it. */
  synchronized Slot admit(InetAddress client) {
    boolean proxy = addresses.isTrustedProxy(client);
    if (!proxy && perClient.getOrDefault(client, 0) >= maxPerClient) {
      return null;
    }
    boolean inReserve;
    if (general < max) {
      general++;
      inReserve = false;
    } else if (reserved < reserve) {
      reserved++;
      inReserve = true;
    } else {
      return null;
    }
    if (!proxy) {
      perClient.merge(client, 1, Integer::sum);
    }
    return new Slot(client, inReserve, proxy);
  }

  synchronized void release(Slot slot) {
    if (slot.reserve()) {
      reserved--;
    } else {
      general--;
    }
    if (!slot.proxy()) {
      perClient.computeIfPresent(slot.client(), (client, count) -> count > 1 ? count - 1 : null);
    }
  }
}
