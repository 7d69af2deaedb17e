package io.kck.entity;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.kck.primer.Key;
import io.kck.testing.CountingPrimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A key object remembers where the read tier held its entry, so that a get by it skips the hash
 * lookup. What it remembers must never answer for longer than the tier itself would: not after the
 * entry was withdrawn or evicted, and not on another node's tier.
 */
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
    ReadTier tier = new ReadTier(1); // smaller than any entry: each is evicted when the cache next cleans up
    Key<String> key = primer.key("evicted");
    tier.put(key.text(), entry(key, 1));
    tier.cleanUp();
    assertNull(tier.get(key.text()));
    assertNull(tier.servable(key, clock));
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
