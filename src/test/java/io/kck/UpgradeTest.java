package io.kck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.kck.primer.Augment;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A release changes a primer (its augment function, its value type) while its keys are stored:
 * two ActorSystems on one database, before and after. The keys load and serve; what no longer
 * applies is set aside or recomputed, and said so, never a key that fails forever.
 */
class UpgradeTest {
  static final Parameter<String> ID = Parameter.ofString("id");

  static Primer<String> log(boolean strict) {
    return Primer.builder("upgrade-log", String.class).parameters(ID)
        .compute((key, context) -> "start")
        .augment(Augment.of(String.class, (log, entry) -> {
          if (strict && entry.equals("bad")) {
            throw new IllegalArgumentException("'bad' is no longer an entry");
          }
          return log + "," + entry;
        }))
        .build();
  }

  @Test
  void aDeltaTheNewAugmentFunctionRefusesIsSetAsideWhenTheKeyLoads() {
    ActorTestKit before = TestNodes.start("UpgradeDeltasBefore", TestNodes.config());
    try {
      Kck kck = Kck.start(before.system(), log(false));
      Stages.await(kck.get("upgrade-log/a"));
      for (String entry : new String[] {"one", "bad", "two"}) {
        Stages.await(kck.augment("upgrade-log/a", entry));
      }
      assertEquals("start,one,bad,two", Stages.await(kck.get("upgrade-log/a")));
    } finally {
      before.shutdownTestKit();
    }

    ActorTestKit after = TestNodes.start("UpgradeDeltasAfter", TestNodes.config());
    try {
      Kck kck = Kck.start(after.system(), log(true));
      Entry<Object> loaded = Stages.await(kck.getEntry("upgrade-log/a"));
      assertEquals("start,one,two", loaded.value(), "the refused delta is skipped, the others applied");
      assertEquals(4, loaded.version(), "versions never go back");
      KeyInfo info = Stages.await(kck.admin().inspect(kck.key("upgrade-log/a")));
      assertEquals(1, info.deltasSetAside());
      assertTrue(info.incident().contains("version 3") && info.incident().contains("no longer an entry"), info.incident());
    } finally {
      after.shutdownTestKit();
    }
  }

  @Test
  void aStoredValueOfAnOlderTypeIsComputedAnewInsteadOfFailingEveryGet() {
    Primer<String> asText = Primer.builder("upgrade-type", String.class).parameters(ID)
        .compute((key, context) -> "forty-two").build();
    ActorTestKit before = TestNodes.start("UpgradeTypeBefore", TestNodes.config());
    try {
      Kck kck = Kck.start(before.system(), asText);
      assertEquals("forty-two", Stages.await(kck.get(asText.key("a"))));
    } finally {
      before.shutdownTestKit();
    }

    AtomicInteger computes = new AtomicInteger();
    Primer<Integer> asNumber = Primer.builder("upgrade-type", Integer.class).parameters(ID)
        .compute((key, context) -> {
          computes.incrementAndGet();
          return 42;
        }).build();
    ActorTestKit after = TestNodes.start("UpgradeTypeAfter", TestNodes.config());
    try {
      Kck kck = Kck.start(after.system(), asNumber);
      Key<Integer> key = asNumber.key("a");
      Entry<Integer> entry = Stages.await(kck.getEntry(key));
      assertEquals(42, entry.value());
      assertEquals(2, entry.version(), "the new value is a new version");
      assertEquals(1, computes.get());
      assertEquals(42, Stages.await(kck.get(key)), "and it stays");
      KeyInfo info = Stages.await(kck.admin().inspect(key));
      assertTrue(info.incident() != null && info.incident().contains("no longer reads as"), String.valueOf(info.incident()));
    } finally {
      after.shutdownTestKit();
    }
  }
}
