package io.kck.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.primer.Key;
import io.kck.testing.CountingPrimer;
import io.kck.testing.KeyStatuses;
import io.kck.testing.Shards;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in one JVM on one PostgreSQL: values larger than Akka's remoting frame (256 KiB by
 * default) are read and written from the node that does not own their key, as from its owner.
 */
class LargeValueClusterTest {
  static final int KIB = 1024;
  static final int MIB = 1024 * KIB;

  static final String CONFIG =
      """
      akka.cluster.min-nr-of-members = 1
      akka.cluster.gossip-interval = 200ms
      akka.cluster.leader-actions-interval = 200ms
      akka.cluster.sharding.retry-interval = 200ms
      # Long enough for a 16 MiB value on a loaded machine, short enough that a lost reply fails the test quickly.
      kck.request-timeout = 60s
      kck.primers."big-near".near-cache = on
      """;

  /** A value of as many characters as its id says (the JSON has two quotes more). */
  static CountingPrimer sized(String name) {
    return new CountingPrimer(name).body((key, count) -> "v".repeat(Integer.parseInt(key.get(CountingPrimer.ID).split("-")[0])));
  }

  static final class Node {
    final ActorTestKit testKit;
    final Kck kck;

    Node(String database, akka.actor.Address seed) {
      String seeds = seed == null ? "" : "kck.cluster.seed-nodes = \"" + seed + "\"\n";
      testKit = TestNodes.start("LargeValueClusterTest", TestNodes.config(CONFIG + database + seeds));
      kck = Kck.start(testKit.system(), sized("big"), sized("big-near"));
    }

    akka.actor.Address address() {
      return akka.cluster.typed.Cluster.get(testKit.system()).selfMember().address();
    }
  }

  static Node owner;
  static Node other;
  static List<ActorTestKit> testKits;

  @BeforeAll
  static void startTwoNodes() {
    String database = TestNodes.ownDatabase("large_values");
    Node first = new Node(database, null);
    Node second = new Node(database, first.address());
    testKits = List.of(first.testKit, second.testKit);
    Shards.awaitReady(testKits);
    owner = first;
    other = second;
  }

  @AfterAll
  static void stopNodes() {
    other.testKit.shutdownTestKit();
    owner.testKit.shutdownTestKit();
  }

  /** A key of {@code primer} with a value of {@code size} characters whose actor runs on the first node. */
  static String keyOnFirstNode(String primer, int size, String tag) {
    for (int i = 0; i < 200; i++) {
      String key = primer + "/" + size + "-" + tag + i;
      KeyStatuses.start(owner.testKit.system(), key);
      if (Shards.ownerOf(testKits, key) == 0) {
        return key;
      }
    }
    throw new AssertionError("no key of " + primer + " landed on the first node");
  }

  private static void getFromTheOtherNode(String primer, int size) {
    String key = keyOnFirstNode(primer, size, "get");
    long start = System.nanoTime();
    Entry<Object> entry = Stages.await(other.kck.getEntry(key), Duration.ofSeconds(90));
    System.out.printf("get of %s (%d chars) from the node that does not own it: %d ms%n", key, size,
        (System.nanoTime() - start) / 1_000_000);
    assertEquals(size, ((String) entry.value()).length());
    assertEquals(size, ((String) Stages.await(owner.kck.get(key))).length(), "the owner answers the same value");
  }

  private static void putFromTheOtherNode(int size) {
    String key = keyOnFirstNode("big", size, "put");
    String value = "p".repeat(size);
    long start = System.nanoTime();
    Entry<Object> written = Stages.await(other.kck.put(key, value), Duration.ofSeconds(90));
    System.out.printf("put of %s (%d chars) from the node that does not own it: %d ms%n", key, size,
        (System.nanoTime() - start) / 1_000_000);
    assertEquals(value, written.value());
    assertEquals(value, Stages.await(owner.kck.get(key)), "the owner holds the value put through the other node");
    assertEquals(value, Stages.await(other.kck.get(key)), "and the other node reads it back");
  }

  @Test
  void aOneMebibyteValueIsReadFromTheNodeThatDoesNotOwnIt() {
    getFromTheOtherNode("big", MIB);
  }

  @Test
  void aFiveMebibyteValueIsReadFromTheNodeThatDoesNotOwnIt() {
    getFromTheOtherNode("big", 5 * MIB);
  }

  @Test
  void aOneMebibyteValueIsPutFromTheNodeThatDoesNotOwnIt() {
    putFromTheOtherNode(MIB);
  }

  @Test
  void aFiveMebibyteValueIsPutFromTheNodeThatDoesNotOwnIt() {
    putFromTheOtherNode(5 * MIB);
  }

  @Test
  void aValueOfExactlyMaxValueBytesIsPutAndReadFromTheNodeThatDoesNotOwnIt() {
    int maxValueBytes = other.testKit.system().settings().config().getBytes("kck.max-value-bytes").intValue();
    putFromTheOtherNode(maxValueBytes - 2); // its JSON: the characters and two quotes
    getFromTheOtherNode("big", maxValueBytes - 2);
  }

  @Test
  void aStreamedPutWhoseValueDoesNotArriveAsAnnouncedFailsNamingTheKeyAndChangesNothing() {
    String key = keyOnFirstNode("big", 10, "broken");
    Entry<Object> before = Stages.await(other.kck.getEntry(key));
    akka.actor.typed.ActorSystem<?> system = other.testKit.system();
    java.util.function.IntFunction<io.kck.entity.StreamedValue> threeBytesAnnouncedAs = announced ->
        new io.kck.entity.StreamedValue(akka.stream.javadsl.Source.single(akka.util.ByteString.fromString("\"x\""))
            .runWith(akka.stream.javadsl.StreamRefs.sourceRef(), system), announced);

    io.kck.entity.KeyReply tooMany = Stages.await(KeyStatuses.entity(system, key).<io.kck.entity.KeyReply>ask(
        replyTo -> new io.kck.entity.KeyCommand.Put(null, replyTo, null, java.util.OptionalLong.empty(),
            threeBytesAnnouncedAs.apply(32 * MIB)), Duration.ofSeconds(30)));
    String refused = ((io.kck.entity.KeyReply.Failed) tooMany).problem().message();
    assertTrue(refused.contains("'" + key + "'") && refused.contains("kck.max-value-bytes"), refused);

    io.kck.entity.KeyReply tooFew = Stages.await(KeyStatuses.entity(system, key).<io.kck.entity.KeyReply>ask(
        replyTo -> new io.kck.entity.KeyCommand.Put(null, replyTo, null, java.util.OptionalLong.empty(),
            threeBytesAnnouncedAs.apply(10)), Duration.ofSeconds(30)));
    String broken = ((io.kck.entity.KeyReply.Failed) tooFew).problem().message();
    assertTrue(broken.contains("'" + key + "'") && broken.contains("3 bytes instead of 10"), broken);

    assertEquals(before.version(), Stages.await(owner.kck.getEntry(key)).version(), "nothing was written");
  }

  @Test
  void aSubscriberOnTheNodeThatDoesNotOwnTheKeyReceivesALargeValue() {
    String key = keyOnFirstNode("big", MIB, "subscribe");
    java.util.concurrent.LinkedBlockingQueue<Entry<Object>> updates = new java.util.concurrent.LinkedBlockingQueue<>();
    io.kck.Subscription subscription = other.kck.subscribe(key, updates::add);
    try {
      String value = "s".repeat(2 * MIB);
      Entry<Object> written = Stages.await(owner.kck.put(key, value), Duration.ofSeconds(90));
      Entry<Object> heard = io.kck.testing.Eventually.until("the subscriber to hear of version " + written.version(),
          Duration.ofSeconds(90), () -> updates.stream().filter(update -> update.version() >= written.version())
              .findFirst().orElse(null), update -> update != null);
      assertEquals(value, heard.value());
    } finally {
      subscription.close();
    }
  }

  @Test
  void aNearCachedLargeValueIsCopiedAndServedWithoutAMessage() {
    String key = keyOnFirstNode("big-near", MIB, "near");
    assertEquals(MIB, ((String) Stages.await(other.kck.get(key), Duration.ofSeconds(90))).length());
    java.util.concurrent.CompletableFuture<Object> again = other.kck.get(key).toCompletableFuture();
    assertTrue(again.isDone(), "the second get is answered from the near cache");
    assertEquals(MIB, ((String) again.join()).length());
  }
}
