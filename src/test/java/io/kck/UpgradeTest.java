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

  /** The value type of format 1: cents. */
  record Balance(long cents) {}

  /** The value type of format 2: an amount in a currency. */
  record Money(long amount, String currency) {}

  /**
   * A release changes a primer's value type, raises its value format and gives a migration: values
   * that only the application had (a put, deltas) are read back migrated, not recomputed, whether
   * the key replays its events or reads a snapshot; the deltas after a snapshot apply to the
   * migrated value. A value the migration cannot read is dropped and computed anew, as before.
   */
  @Test
  void putAndAugmentedValuesOfAnOlderFormatAreMigratedWhenTheKeysLoad() {
    String config = "kck.augment.snapshot-every = 2\n"; // key b: a snapshot after its first delta, one delta after it
    ActorTestKit before = TestNodes.start("UpgradeMigrateBefore", TestNodes.config(config));
    try {
      Primer<Balance> cents = Primer.builder("upgrade-migrate", Balance.class).parameters(ID)
          .compute((key, context) -> new Balance(0))
          .augment(Augment.of(Long.class, (balance, delta) -> new Balance(balance.cents() + delta)))
          .build();
      Kck kck = Kck.start(before.system(), cents);
      Stages.await(kck.put(cents.key("a"), new Balance(1250)));
      Stages.await(kck.get(cents.key("b")));
      Stages.await(kck.augment("upgrade-migrate/b", 5L));
      Stages.await(kck.augment("upgrade-migrate/b", 7L));
      Stages.await(kck.put(cents.key("c"), new Balance(-1)));
    } finally {
      before.shutdownTestKit();
    }

    AtomicInteger computes = new AtomicInteger();
    Primer<Money> money = Primer.builder("upgrade-migrate", Money.class).parameters(ID)
        .compute((key, context) -> {
          computes.incrementAndGet();
          return new Money(0, "EUR");
        })
        .augment(Augment.of(Long.class, (sum, delta) -> new Money(sum.amount() + delta, sum.currency())))
        .valueFormat(2)
        .migrateFrom(1, stored -> {
          long old = stored.get("cents").asLong();
          if (old < 0) {
            throw new IllegalArgumentException("a balance below zero has no amount");
          }
          return new Money(old, "EUR");
        })
        .build();
    ActorTestKit after = TestNodes.start("UpgradeMigrateAfter", TestNodes.config(config));
    try {
      Kck kck = Kck.start(after.system(), money);
      Entry<Money> put = Stages.await(kck.getEntry(money.key("a")));
      assertEquals(new Money(1250, "EUR"), put.value(), "the put value, migrated");
      assertEquals(1, put.version());
      Entry<Money> augmented = Stages.await(kck.getEntry(money.key("b")));
      assertEquals(new Money(12, "EUR"), augmented.value(), "the snapshot migrated, the delta after it applied");
      assertEquals(3, augmented.version());
      assertEquals(0, computes.get(), "nothing was recomputed");
      assertEquals(4L, Stages.await(kck.augment(money.key("b"), 1L)));
      assertEquals(new Money(13, "EUR"), Stages.await(kck.get(money.key("b"))), "and deltas go on");
      assertEquals(null, Stages.await(kck.admin().inspect(money.key("a"))).incident());

      Entry<Money> unreadable = Stages.await(kck.getEntry(money.key("c")));
      assertEquals(new Money(0, "EUR"), unreadable.value(), "what the migration refused is computed anew");
      assertEquals(2, unreadable.version());
      assertEquals(1, computes.get());
      String incident = Stages.await(kck.admin().inspect(money.key("c"))).incident();
      assertTrue(incident.contains("migration to format 2 failed") && incident.contains("below zero"), incident);
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
