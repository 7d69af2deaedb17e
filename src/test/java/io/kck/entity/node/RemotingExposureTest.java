package io.kck.entity.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Kck;
import io.kck.testing.CountingPrimer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The cluster is closed by default: Kck.start refuses plain remoting on an address other machines
 * may reach, names the setting and TLS in its refusal, and starts on loopback or with TLS.
 */
class RemotingExposureTest {

  private static Config config(String extra) {
    return ConfigFactory.load(ConfigFactory.parseString(extra));
  }

  @Test
  void plainTcpOnAReachableAddressIsRefusedUnlessAllowed() {
    Config plain = config("akka.remote.artery.transport = tcp");
    assertEquals(RemotingExposure.Verdict.REFUSED, RemotingExposure.of(plain, "192.0.2.7"));
    assertEquals(RemotingExposure.Verdict.REFUSED, RemotingExposure.of(config("akka.remote.artery.transport = aeron-udp"), "192.0.2.7"));
    assertEquals(RemotingExposure.Verdict.OPEN_BY_CHOICE, RemotingExposure.of(
        config("akka.remote.artery.transport = tcp\nkck.cluster.allow-plaintext-remoting = on"), "192.0.2.7"));
    // A name that does not resolve is not known to be loopback.
    assertEquals(RemotingExposure.Verdict.REFUSED, RemotingExposure.of(plain, "no-such-host.invalid"));
    // Bound on every interface while advertising loopback: reachable.
    assertEquals(RemotingExposure.Verdict.REFUSED, RemotingExposure.of(
        config("akka.remote.artery.bind.hostname = \"0.0.0.0\""), "127.0.0.1"));
  }

  @Test
  void akkasDefaultIsPlainTcpSoOnlyLoopbackOrTlsStart() {
    Config defaults = config("");
    assertEquals("tcp", defaults.getString("akka.remote.artery.transport"), "Akka's default transport");
    assertEquals(false, defaults.getBoolean(RemotingExposure.ALLOW));
    assertEquals(RemotingExposure.Verdict.CLOSED, RemotingExposure.of(defaults, "127.0.0.1"));
    assertEquals(RemotingExposure.Verdict.CLOSED, RemotingExposure.of(defaults, "localhost"));
    assertEquals(RemotingExposure.Verdict.CLOSED, RemotingExposure.of(defaults, "[::1]"));
    assertEquals(RemotingExposure.Verdict.CLOSED,
        RemotingExposure.of(config("akka.remote.artery.transport = tls-tcp"), "192.0.2.7"));
  }

  @Test
  void tlsThatAsksNoCertificateOfWhoeverConnectsIsWarnedAbout() {
    Config tls = config("akka.remote.artery.transport = tls-tcp");
    assertTrue(RemotingExposure.weakTls(tls, "192.0.2.7", 25520).isEmpty(), "mutual authentication is Akka's default");
    Config oneWay = config("akka.remote.artery.transport = tls-tcp\n"
        + "akka.remote.artery.ssl.config-ssl-engine.require-mutual-authentication = off");
    assertTrue(RemotingExposure.weakTls(oneWay, "192.0.2.7", 25520).orElseThrow().contains("require-mutual-authentication = off"));
    assertTrue(RemotingExposure.weakTls(oneWay, "127.0.0.1", 25520).isEmpty(), "loopback");
    assertTrue(RemotingExposure.weakTls(config(""), "192.0.2.7", 25520).isEmpty(), "plain TCP is refused, not warned about");
  }

  @Test
  void theRefusalNamesTheSettingAndTheTlsAlternative() {
    String refusal = RemotingExposure.refusal(config(""), "192.0.2.7", 25520);
    assertTrue(refusal.contains("kck.cluster.allow-plaintext-remoting = on"), refusal);
    assertTrue(refusal.contains("tls-tcp") && refusal.contains("require-mutual-authentication"), refusal);
    assertTrue(refusal.contains("192.0.2.7:25520"), refusal);
  }

  /** A real start on a non-loopback address of this machine: refused, then allowed with a warning. */
  @Test
  void aNodeOnANonLoopbackAddressOfThisMachineIsRefusedAndStartsOnlyWhenAllowed() throws Exception {
    Optional<String> address = nonLoopbackAddress();
    assumeTrue(address.isPresent(), "this machine has no non-loopback IPv4 address");
    String host = "akka.remote.artery.canonical.hostname = \"" + address.get() + "\"\n";
    ActorTestKit refused = TestNodes.start("RemotingExposureTest", TestNodes.config(host));
    try {
      IllegalStateException failure = assertThrows(IllegalStateException.class,
          () -> Kck.start(refused.system(), new CountingPrimer("exposure-refused")));
      assertTrue(failure.getMessage().contains("kck.cluster.allow-plaintext-remoting")
          && failure.getMessage().contains(address.get()), failure.getMessage());
    } finally {
      refused.shutdownTestKit();
    }

    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger engine = (Logger) LoggerFactory.getLogger(Engine.class);
    engine.addAppender(appender);
    ActorTestKit allowed = TestNodes.start("RemotingExposureTest",
        TestNodes.config(host + "kck.cluster.allow-plaintext-remoting = on\n"));
    try {
      Kck kck = Kck.start(allowed.system(), new CountingPrimer("exposure-allowed"));
      assertEquals("value of 1", Stages.await(kck.get("exposure-allowed/1")));
      assertTrue(appender.list.stream().anyMatch(event -> event.getLevel() == Level.WARN
              && event.getFormattedMessage().contains("allow-plaintext-remoting = on")),
          "a warning says the port is open: " + appender.list);
    } finally {
      engine.detachAppender(appender);
      allowed.shutdownTestKit();
    }
  }

  /** The test nodes' own configuration (loopback, plain TCP) starts. */
  @Test
  void aNodeOnLoopbackStarts() {
    ActorTestKit node = TestNodes.start("RemotingExposureTest", TestNodes.config());
    try {
      Kck kck = Kck.start(node.system(), new CountingPrimer("exposure-loopback"));
      assertEquals("value of 1", Stages.await(kck.get("exposure-loopback/1")));
    } finally {
      node.shutdownTestKit();
    }
  }

  private static Optional<String> nonLoopbackAddress() throws Exception {
    for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!network.isUp() || network.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(network.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
          return Optional.of(address.getHostAddress());
        }
      }
    }
    return Optional.empty();
  }
}
