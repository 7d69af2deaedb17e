package io.kck.entity.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import com.typesafe.config.ConfigFactory;
import io.kck.entity.KeyClient;
import io.kck.entity.WarmKeys;
import io.kck.persistence.DatabaseHealth;
import io.kck.persistence.KckDatabaseProvider;
import io.kck.primer.internal.PrimerRegistry;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The warm-key registry waits for its node's shard region: once it has loaded it wakes every key
 * through sharding, which fails while the region is not started, and a failed load stops the
 * registry for good (no key kept warm on that node). On KCK's quick journal it loaded before
 * {@link Engine} had started the region in about two restarts of three.
 */
class WarmKeysStartTest {
  static ActorTestKit testKit;

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create("WarmKeysStartTest",
        ConfigFactory.load(TestNodes.config(TestNodes.ownDatabase("warm_keys_start"))));
    SchemaUtils.createIfNotExists(io.kck.persistence.JournalNames.JOURNAL_PLUGIN, testKit.system()).toCompletableFuture()
        .get(1, TimeUnit.MINUTES);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theRegistryAnswersOnlyOnceTheRegionRunsAndThenAnswersWhatItWasSentBefore() throws Exception {
    CompletableFuture<Void> regionStarted = new CompletableFuture<>();
    ActorRef<WarmKeys.Command> registry = testKit.spawn(WarmKeyRegistry.create(PrimerRegistry.of(List.of()),
        Duration.ofMinutes(1), 10, client(), new java.util.concurrent.atomic.AtomicInteger(), regionStarted));
    // Asked, not told to a probe: the answer is a plain Set, which Akka's serialization check
    // (serialize-messages, on in tests) refuses to an actor but not to an ask's reply.
    CompletableFuture<Set<String>> early = keys(registry);
    assertThrows(TimeoutException.class, () -> early.get(300, TimeUnit.MILLISECONDS),
        "it has not loaded: nothing answers yet");

    regionStarted.complete(null);
    assertEquals(Set.of(), early.get(30, TimeUnit.SECONDS), "the request sent early, answered once loaded");
    assertEquals(Set.of(), keys(registry).get(30, TimeUnit.SECONDS));
  }

  private static CompletableFuture<Set<String>> keys(ActorRef<WarmKeys.Command> registry) {
    return AskPattern.<WarmKeys.Command, WarmKeys.Listed>ask(registry, WarmKeys.GetKeys::new, Duration.ofSeconds(60),
        testKit.system().scheduler()).thenApply(WarmKeys.Listed::keys).toCompletableFuture();
  }

  private static KeyClient client() {
    KckDatabaseProvider.DatabaseSettings database =
        KckDatabaseProvider.DatabaseSettings.from(testKit.system().settings().config());
    DatabaseHealth health = new DatabaseHealth(database, Duration.ofSeconds(1), Duration.ofSeconds(1),
        Duration.ofSeconds(1), List.of());
    return new KeyClient(akka.cluster.sharding.typed.javadsl.ClusterSharding.get(testKit.system()), Duration.ofSeconds(30),
        akka.actor.CoordinatedShutdown.get(testKit.system()), health, Duration.ofSeconds(2), Duration.ZERO);
  }
}
