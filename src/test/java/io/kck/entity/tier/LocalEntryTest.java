package io.kck.entity.tier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.entity.EntryData;
import io.kck.testing.CountingPrimer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** When an entry of the read tier may answer a get: decided from the entry alone. */
@Tag("unit")
class LocalEntryTest {
  static final CountingPrimer primer = new CountingPrimer("entry");
  static final EntryData data = new EntryData("entry/a", null, 1, Instant.EPOCH, false, false, null, null, Map.of());

  @Test
  void anEntryKeptAfterItsKeyStoppedServesUntilItsShardsGuardIsRevoked() {
    Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC);
    ShardGuard guard = new ShardGuard();
    LocalEntry kept = new LocalEntry(primer, data, null, LocalEntry.NO_DEADLINE).keptUnder(guard, LocalEntry.NO_DEADLINE);
    assertTrue(kept.servable(clock));
    guard.revoke();
    assertFalse(kept.servable(clock), "its shard left this node");
  }

  @Test
  void anEntryServesOnlyBeforeItsDeadline() {
    LocalEntry entry = new LocalEntry(primer, data, null, 2_000);
    assertTrue(entry.servable(Clock.fixed(Instant.ofEpochMilli(1_999), ZoneOffset.UTC)));
    assertFalse(entry.servable(Clock.fixed(Instant.ofEpochMilli(2_000), ZoneOffset.UTC)));
  }
}
