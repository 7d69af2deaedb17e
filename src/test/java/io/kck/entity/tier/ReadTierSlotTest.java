package io.kck.entity.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.entity.EntryData;
import io.kck.entity.metrics.Meters;
import io.kck.primer.Key;
import io.kck.testing.CountingPrimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A key object remembers where the read tier held its entry, so that a get by it skips the hash
 * lookup. What it remembers must never answer for longer than the tier itself would: not after the
 * entry was withdrawn or evicted, and not on another node's tier.
 */
@Tag("unit")
class ReadTierSlotTest {
  static final CountingPrimer primer = new CountingPrimer("slot");
  static final Meters.PrimerMeters meters =
      new Meters(new SimpleMeterRegistry(), List.of(primer), null, null, new AtomicInteger()).of(primer);
  static final Clock clock = Clock.systemUTC();

  @Test
  void aKeyThatFoundAnEntryNeverGetsItAfterItIsWithdrawn() {
    ReadTier tier = new ReadTier(1 << 20);
    Key<String> key = primer.key("a");
    LocalEntry one = entry(key, 1);
    tier.put(key.text(), one);
    assertSame(one, tier.servable(key, clock));

    LocalEntry two = entry(key, 2);
    tier.put(key.text(), two);
    assertSame(two, tier.servable(key, clock), "a new publication is seen through the remembered slot");

    tier.remove(key.text(), two);
    assertNull(tier.servable(key, clock));
    LocalEntry three = entry(key, 3);
    tier.put(key.text(), three);
    assertSame(three, tier.servable(key, clock), "a withdrawn slot sends the key back to the map");
    assertSame(three, tier.servable(primer.key("a"), clock), "another object of the same key finds it too");
  }

  @Test
  void aKeyThatFoundAnEntryDoesNotGetItOnceEvicted() {
    ReadTier tier = new ReadTier(1); // smaller than any entry: each is evicted as soon as it is put
    Key<String> key = primer.key("evicted");
    tier.put(key.text(), entry(key, 1));
    tier.cleanUp();
    assertNull(tier.get(key.text()));
    assertNull(tier.servable(key, clock));
  }

  @Test
  void pastItsWeightTheTierEvictsAnEntryNotReadSinceTheHandPassed() {
    Key<String> a = primer.key("clock-a");
    Key<String> b = primer.key("clock-b");
    Key<String> c = primer.key("clock-c");
    Key<String> d = primer.key("clock-d");
    ReadTier tier = new ReadTier(2L * entry(a, 1).weight()); // keys of one length weigh the same
    tier.put(a.text(), entry(a, 1));
    tier.put(b.text(), entry(b, 1));
    tier.put(c.text(), entry(c, 1)); // one too many: the hand unmarks all three, then evicts one
    List<Key<String>> kept = java.util.stream.Stream.of(a, b, c).filter(key -> tier.get(key.text()) != null).toList();
    assertEquals(2, kept.size());

    Key<String> read = kept.get(0);
    Key<String> unread = kept.get(1);
    assertSame(tier.get(read.text()), tier.servable(read, clock));
    tier.put(d.text(), entry(d, 1));
    assertNull(tier.get(unread.text()), "not read since the hand passed: evicted");
    assertSame(tier.get(read.text()), tier.servable(read.text(), clock), "read since: kept");
    assertSame(tier.get(d.text()), tier.servable(d, clock), "new: kept for one turn");
    assertEquals(2L * entry(a, 1).weight(), tier.weight());
  }

  @Test
  void manyPutsNeverLeaveTheTierPastItsWeight() {
    ReadTier tier = new ReadTier(10L * entry(primer.key("0000"), 1).weight());
    for (int i = 0; i < 1000; i++) {
      Key<String> key = primer.key(String.format("%04d", i));
      tier.put(key.text(), entry(key, 1));
      if (i % 3 == 0) {
        tier.servable(key, clock);
      }
      assertTrue(tier.weight() <= 10L * entry(key, 1).weight(), "after " + (i + 1) + " puts");
    }
  }

  @Test
  void aKeyUsedOnAnotherNodeIsNotAnsweredFromTheTierItFoundFirst() {
    ReadTier first = new ReadTier(1 << 20);
    ReadTier second = new ReadTier(1 << 20);
    Key<String> key = primer.key("b");
    LocalEntry entry = entry(key, 1);
    first.put(key.text(), entry);
    assertSame(entry, first.servable(key, clock));
    assertNull(second.servable(key, clock), "the second node has no entry of the key");
    LocalEntry theirs = entry(key, 2);
    second.put(key.text(), theirs);
    assertSame(theirs, second.servable(key, clock));
    assertSame(entry, first.servable(key, clock));
  }

  private static LocalEntry entry(Key<?> key, long version) {
    EntryData data = new EntryData(key.text(), null, version, Instant.EPOCH, false, false, null, null, Map.of());
    return new LocalEntry(primer, data, meters, LocalEntry.NO_DEADLINE);
  }
}
