package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.testing.CountingPrimer;
import io.kck.testing.LiveKeys;
import io.kck.testing.Eventually;
import io.kck.testing.Stages;
import io.kck.testing.TestClock;
import io.kck.testing.TestNodes;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Warm keys and periodic keys keep refreshing after a restart of the ActorSystem, with no get:
 * the warm-key registry wakes them, and each re-arms its timer from its persisted computed-at.
 */
class WarmRestartTest {
  /** Register 7's sales, imported every five minutes from start-up. */
  static final class Imports extends CountingPrimer {
    Imports() {
      super("warm-restart");
    }

    @Override
    public Freshness freshness() {
      return Freshness.periodic(Duration.ofMinutes(5));
    }

    @Override
    public boolean keepsKeysWarm() {
      return true; // its keys refresh across passivation and restarts, with nobody asking
    }

    @Override
    public List<Key<String>> warmKeys() {
      return List.of(key("register-7"));
    }
  }

  @Test
  void warmAndPeriodicKeysRefreshAfterARestartWithoutAnyGet() {
    Imports before = new Imports();
    ActorTestKit first = TestNodes.start("WarmRestartBefore", TestNodes.config());
    try {
      Kck kck = Kck.start(first.system(), before);
      Stages.await(kck.get("warm-restart/asked")); // keepsKeysWarm: joins the warm set by itself
      Eventually.passes("the warm key computed at start-up, unasked, and both keys in the warm set", () -> {
        assertEquals(2, before.computes(), "the warm key is computed at start-up, unasked");
        // Other tests' keys share this database's warm set: look at this test's own.
        assertEquals(
            java.util.Set.of("warm-restart/register-7", "warm-restart/asked"),
            Stages.await(kck.warmKeys()).stream().filter(key -> key.startsWith("warm-restart/"))
                .collect(java.util.stream.Collectors.toSet()));
      });
    } finally {
      first.shutdownTestKit();
    }

    Imports after = new Imports();
    CountingPrimer other = new CountingPrimer("warm-restart-other");
    ActorTestKit second = TestNodes.start("WarmRestartAfter", TestNodes.manualTimeConfig(""));
    TestClock clock = TestClock.of(second);
    try {
      Kck kck = Kck.builder(second.system()).clock(clock).primers(after, other).start();
      TestNodes.warmUp(second, clock, kck, "warm-restart-other/x");
      // The registry wakes both keys: they load from PostgreSQL and arm their timers.
      Eventually.until("both warm keys woken after the restart", Duration.ofSeconds(60), () -> {
        clock.timePasses(Duration.ofMillis(500));
        return LiveKeys.of(second);
      }, live -> live.containsAll(List.of("warm-restart/register-7", "warm-restart/asked")));
      assertEquals(0, after.computes(), "waking a key with a value does not compute");

      clock.timePasses(Duration.ofMinutes(5));
      Eventually.count("refreshes after the restart, with no get (both timers fired)", after::computes, 2);
    } finally {
      TestNodes.shutdown(second, clock);
    }
  }
}
