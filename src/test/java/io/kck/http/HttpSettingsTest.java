package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** kck.http read and checked at start, without a node: timeouts, exposure, tokens. */
@Tag("unit")
class HttpSettingsTest {
  static Config config(String extra) {
    return ConfigFactory.parseString(extra).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void theHttpTimeoutIsDerivedFromKcksOwnSoThatKckAnswersFirst() {
    HttpSettings settings = HttpSettings.of(config(""), "127.0.0.1", 0);
    assertEquals(Duration.ofSeconds(155), settings.requestTimeout(), "kck.request-timeout (150 s) + 5 s");
    assertTrue(settings.requestTimeout().compareTo(config("").getDuration("kck.compute.timeout")) > 0);
    assertEquals(Duration.ofSeconds(35), HttpSettings.of(config("kck.request-timeout = 30s"), "127.0.0.1", 0).requestTimeout());
    IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
        () -> HttpSettings.of(config("kck.http.request-timeout = 20s"), "127.0.0.1", 0));
    assertTrue(below.getMessage().contains("kck.request-timeout"), below.getMessage());
  }

  @Test
  void anExposedInterfaceNeedsAWriteTokenAndOpenWritesOnlyOnLoopback() {
    assertThrows(IllegalStateException.class, () -> HttpSettings.of(config(""), "0.0.0.0", 0));
    assertThrows(IllegalStateException.class, () -> HttpSettings.of(config(""), "10.1.2.3", 0));
    assertThrows(IllegalStateException.class,
        () -> HttpSettings.of(config("kck.http.write-token = w, kck.http.open-writes = on"), "0.0.0.0", 0));
    HttpSettings exposed = HttpSettings.of(config("kck.http.write-token = w"), "10.1.2.3", 0);
    assertTrue(exposed.allowedHosts().contains("10.1.2.3"), "its own address is an allowed host");
    assertFalse(HttpSettings.of(config(""), "::1", 0).writesOpen(), "closed unless opened");
    assertTrue(HttpSettings.of(config("kck.http.open-writes = on"), "localhost", 0).writesOpen());
  }

  @Test
  void streamsMustLeaveRoomForOrdinaryRequests() {
    assertThrows(IllegalArgumentException.class,
        () -> HttpSettings.of(config("kck.http.streams.max = 1024"), "127.0.0.1", 0));
    assertThrows(IllegalArgumentException.class, () -> HttpSettings.of(config("kck.http.reads = all"), "127.0.0.1", 0));
  }

  @Test
  void bearerTokensCompareWholeWithTheSchemeInAnyCase() {
    BearerToken token = BearerToken.of("s3cret");
    assertTrue(token.matches(Optional.of("Bearer s3cret")));
    assertTrue(token.matches(Optional.of("bearer s3cret")));
    assertTrue(token.matches(Optional.of("BEARER   s3cret ")));
    assertFalse(token.matches(Optional.of("Bearer s3cre")));
    assertFalse(token.matches(Optional.of("Bearer s3cret2")));
    assertFalse(token.matches(Optional.of("Basic s3cret")));
    assertFalse(token.matches(Optional.of("s3cret")));
    assertFalse(token.matches(Optional.empty()));
    assertFalse(BearerToken.of("").matches(Optional.of("Bearer ")), "no token set matches nothing");
    assertEquals("(set)", token.toString(), "never printed");
  }

  @Test
  void connectionLimitsAreCheckedAtStart() {
    HttpSettings defaults = HttpSettings.of(config(""), "127.0.0.1", 0);
    assertEquals(1024, defaults.maxConnections());
    assertEquals(64, defaults.maxConnectionsPerClient());
    assertEquals(16, defaults.healthConnections());
    assertEquals(Duration.ofSeconds(5), defaults.idleTimeout());
    assertEquals(Duration.ofSeconds(1), defaults.anonymousComputeInterval());
    for (String bad : new String[] {"max-connections-per-client = 0", "health-connections = 0", "idle-timeout = 0s",
        "anonymous-computes.interval = -1s", "anonymous-computes.max-keys = 0"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> HttpSettings.of(config("kck.http." + bad), "127.0.0.1", 0), bad);
      assertTrue(refused.getMessage().contains("kck.http." + bad.substring(0, bad.indexOf(' '))), refused.getMessage());
    }
  }

  @Test
  void trustedProxiesAreAddressesOrBlocksReadAsLiteralsOnly() {
    ClientAddresses.Cidr ten = ClientAddresses.Cidr.parse("p", "10.0.0.0/8");
    assertTrue(ten.contains(ClientAddresses.literal("10.200.3.4").orElseThrow()));
    assertFalse(ten.contains(ClientAddresses.literal("11.0.0.1").orElseThrow()));
    ClientAddresses.Cidr six = ClientAddresses.Cidr.parse("p", "fd00::/8");
    assertTrue(six.contains(ClientAddresses.literal("[fd12::1]:443").orElseThrow()));
    assertFalse(six.contains(ClientAddresses.literal("10.0.0.1").orElseThrow()));
    assertTrue(ClientAddresses.Cidr.parse("p", "192.0.2.7").contains(ClientAddresses.literal("192.0.2.7:80").orElseThrow()));
    assertTrue(ClientAddresses.literal("localhost").isEmpty(), "a name is never resolved");
    assertTrue(ClientAddresses.literal("1.2.3").isEmpty());
    assertTrue(ClientAddresses.literal("unknown").isEmpty());
    IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
        () -> HttpSettings.of(config("kck.http.trusted-proxies = [\"proxy.local\"]"), "127.0.0.1", 0));
    assertTrue(name.getMessage().contains("kck.http.trusted-proxies") && name.getMessage().contains("proxy.local"),
        name.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> HttpSettings.of(config("kck.http.trusted-proxies = [\"10.0.0.0/33\"]"), "127.0.0.1", 0));
  }
}
