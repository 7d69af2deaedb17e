package io.kck.entity.tier;

import akka.actor.ActorRef;
import akka.actor.ActorSelection;
import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.typesafe.config.Config;
import io.kck.entity.EntryData;
import io.kck.entity.KeyClient;
import io.kck.entity.KeyCommand;
import io.kck.entity.metrics.Meters;
import io.kck.entity.settings.EntitySettings;
import io.kck.persistence.KckSerializable;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import io.kck.primer.internal.KeySlots;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * This node's near cache: copies of entries of keys owned by other nodes, for primers that opt in
 * ({@code kck.primers."<name>".near-cache = on}), so that a get of such a key here is answered
 * without a message. Thread-safe; bounded by {@code kck.near-cache.max-entries}.
 *
 * <p><b>Consistency.</b> A copy is made of what a get through this node answered, if it was a
 * fresh value, and only for a key whose shard is not on this node (the owner has its read tier);
 * a copy goes when its key's actor starts here (its shard moved here).
 * Its key's actor, on every change (a new version, or its value no longer fresh: outdated,
 * invalidated), tells every member's near cache before it acknowledges anything, and a copy older
 * than what it was told goes. That message is not waited for, so another node may answer the old
 * value until it arrives (milliseconds; docs/benchmarks.md gives the figure), and if it is lost (a node
 * unreachable) until the copy's age reaches {@code kck.near-cache.max-age}: that, or the value's
 * own freshness deadline if sooner, is the bound on staleness. On the node that writes (put,
 * augment, invalidate, refresh through it) a get after the acknowledgement never answers a copy
 * older than the write: the copy goes before the write is sent, and the acknowledgement's version
 * is the least this node copies again. Computes never read copies: they ask the inputs' owners.
 *
 * <p>A message "versions below n are gone" can overtake a reply to a get that carried an older
 * version; it therefore stays for {@code max-age} as a floor, and a reply below the floor is not
 * copied.
 *
 * <p>A copy read late in its life is renewed in the background (refresh-ahead, as Caffeine's
 * {@code refreshAfterWrite}): the get that finds it so is answered from it at once and one ask,
 * which never computes, brings a new copy. "Late" starts at a point between five eighths and three
 * quarters of {@code max-age} that its key's text sets ({@link #renewAfterMillis}), so that copies
 * made together (a node reading thousands of keys at start-up) do not ask all at once, then and
 * at every renewal after. A key read often is thus never asked for inline, at the cost of one ask
 * per key per ~70% of {@code max-age}; one read rarely goes when it is {@code max-age} old.
 */
public final class NearCache {
  /** The name of each node's system actor that hears of changes. */
  static final String LISTENER = "kck-near-cache";

  /**
   * Tells a node that no version of {@code key} below {@code floor} may answer a get there. Sent by
   * the key's actor to every member.
   */
  public record Changed(String key, long floor) implements KckSerializable {}

  /**
   * What an update of a key's place proposes: a copy (null once it is known outdated), the least
   * version that may be copied, and when a get of the copy renews it.
   */
  private record Copy(LocalEntry entry, long floor, long renewAtMillis) {}

  /**
   * Where one key's copy sits; emptied, and out of the map, once the key has no copy (nor floor)
   * here. A {@link Key} remembers it ({@link KeySlots}), so that a get of a near-cached key by a
   * key object seen before skips the lookup among the copies, as the read tier's slots do: every
   * write to a place happens inside a map operation on its key, and the one that removes it
   * empties it. Names its cache by number, for two nodes in one JVM. Mutable, rather than a new
   * object per copy, so that a get reads one object before the entry.
   */
  static final class Place {
    final int cache;
    volatile LocalEntry entry; // written last, so a get that sees it sees the renewal time with it
    long floor; // read and written inside map operations on the key only
    volatile long renewAtMillis;
    volatile boolean renewing; // at most one renewal at a time, give or take a race of two

    Place(int cache) {
      this.cache = cache;
    }

    Copy copy() {
      return new Copy(entry, floor, renewAtMillis);
    }

    void hold(Copy copy) {
      floor = copy.floor();
      renewAtMillis = copy.renewAtMillis();
      renewing = false;
      entry = copy.entry();
    }
  }

  private static final AtomicInteger CACHES = new AtomicInteger();

  private final int id = CACHES.incrementAndGet();
  private final ActorSystem<?> system;
  private final EntitySettings settings;
  private final Meters meters;
  private final ShardGuards guards;
  private final Function<String, CompletionStage<EntryData>> renewals;
  private final Clock clock;
  private final long maxAgeMillis;
  private final boolean anyPrimer;
  // Gets read a plain map; a Caffeine cache of the same copies decides which go (size, age). It hears
  // of every new copy and renewal, never of a get: a copy read often is renewed well before max-age,
  // which is what tells it the copy is wanted. A read of it per hit (or one in 16) cost
  // more than the rest of the hit.
  private final Map<String, Place> copies = new ConcurrentHashMap<>();
  private final Cache<String, Place> bound;
  private final Map<Address, ActorSelection> listeners = new ConcurrentHashMap<>();

  /** Without {@link #start}'s listener (and, in tests of a key's parts, without an ActorSystem: {@code system} null). */
  NearCache(ActorSystem<?> system, Config config, EntitySettings settings, Iterable<Primer<?>> primers,
      Meters meters, ShardGuards guards, Function<String, CompletionStage<EntryData>> renewals, Clock clock) {
    this.system = system;
    this.renewals = renewals;
    this.settings = settings;
    this.meters = meters;
    this.guards = guards;
    this.clock = clock;
    Duration maxAge = EntitySettings.nearCacheMaxAge(config);
    long maxEntries = config.getLong("kck.near-cache.max-entries");
    this.maxAgeMillis = maxAge.toMillis();
    boolean any = false;
    for (Primer<?> primer : primers) {
      any |= settings.of(primer).nearCache();
    }
    this.anyPrimer = any;
    this.bound = Caffeine.newBuilder().maximumSize(maxEntries).expireAfterWrite(maxAge)
        .evictionListener((String key, Place evicted, RemovalCause cause) -> {
          if (key != null && evicted != null) {
            copies.computeIfPresent(key, (text, place) -> place == evicted ? empty(place) : place);
          }
        })
        .build();
  }

  /** The near cache of {@code system}, whose listener hears of changes from now on. */
  public static NearCache start(ActorSystem<?> system, Config config, EntitySettings settings, Iterable<Primer<?>> primers,
      Meters meters, ShardGuards guards, KeyClient client, Clock clock) {
    return start(system, config, settings, primers, meters, guards,
        text -> client.ask(text, replyTo -> new KeyCommand.Get(replyTo, false)), clock);
  }

  /** The same, renewing copies by {@code renewals} (a get of the named key that never computes). */
  public static NearCache start(ActorSystem<?> system, Config config, EntitySettings settings, Iterable<Primer<?>> primers,
      Meters meters, ShardGuards guards, Function<String, CompletionStage<EntryData>> renewals, Clock clock) {
    NearCache near = new NearCache(system, config, settings, primers, meters, guards, renewals, clock);
    system.systemActorOf(near.listener(), LISTENER, Props.empty());
    return near;
  }

  private Behavior<Changed> listener() {
    return Behaviors.receiveMessage(changed -> {
      outdate(changed.key(), changed.floor());
      return Behaviors.same();
    });
  }

  /** Whether {@code primer}'s keys are near-cached. */
  public boolean on(Primer<?> primer) {
    return anyPrimer && settings.of(primer).nearCache();
  }

  /** The copy of {@code key} if a get may be answered from it now, counted as a near hit; else null. */
  public LocalEntry servable(Key<?> key) {
    if (!anyPrimer) {
      return null;
    }
    Place place = KeySlots.of(key) instanceof Place known && known.cache == id ? known : null;
    LocalEntry entry = place == null ? null : place.entry;
    if (entry == null) {
      place = copies.get(key.text());
      if (place == null) {
        return null;
      }
      KeySlots.remember(key, place);
      entry = place.entry;
    }
    return servable(key.text(), place, entry);
  }

  /** The same by the key's canonical text. */
  public LocalEntry servable(String text) {
    if (!anyPrimer) {
      return null;
    }
    Place place = copies.get(text);
    return place == null ? null : servable(text, place, place.entry);
  }

  private LocalEntry servable(String text, Place place, LocalEntry entry) {
    if (entry == null) {
      return null;
    }
    long now = clock.millis();
    if (!entry.servableAt(now)) {
      return null;
    }
    if (now >= place.renewAtMillis && !place.renewing) {
      place.renewing = true;
      renew(text, entry.primer());
    }
    entry.meters().get(Meters.GetOutcome.HIT_NEAR);
    return entry;
  }

  /** Asks for a new copy of the key named {@code text}, without computing; nothing else waits for it. */
  private void renew(String text, Primer<?> primer) {
    renewals.apply(text).thenAccept(data -> answered(primer, text, data));
  }

  /** A get through this node answered {@code data}: kept if it is a fresh value of another node's key. */
  public void answered(Key<?> key, EntryData data) {
    answered(key.primer(), key.text(), data);
  }

  private void answered(Primer<?> primer, String key, EntryData data) {
    if (!on(primer) || data.value() == null || data.stale() || data.refreshing() || data.lastError() != null
        || data.nextAttemptAt() != null || guards.current(guards.shardOf(key)) != null) {
      return;
    }
    long now = clock.millis();
    LocalEntry entry = new LocalEntry(primer, data, meters.of(primer), deadline(primer, data, now));
    Copy copy = new Copy(entry, data.version(), now + renewAfterMillis(key, maxAgeMillis));
    update(key, held -> {
      if (held == null) {
        return copy;
      }
      // The same version too: it renews a copy (its deadline moves on).
      boolean notOlder = held.entry() == null || held.entry().data().version() <= data.version();
      return data.version() >= held.floor() && notOlder ? copy : held;
    });
  }

  /**
   * How long after it is made a copy of {@code key} is renewed when read: from five eighths to three
   * quarters of {@code maxAgeMillis}, by a hash of the key, the same for the key every time.
   */
  static long renewAfterMillis(String key, long maxAgeMillis) {
    long window = maxAgeMillis / 8;
    int mixed = key.hashCode() * 0x9E3779B9; // spreads the nearby hashes of keys that differ in a digit
    return maxAgeMillis * 5 / 8 + (window == 0 ? 0 : Math.floorMod(mixed ^ (mixed >>> 16), window + 1));
  }

  /** This node is about to send a write of {@code key}: its copy goes first. */
  public void writing(Key<?> key) {
    if (on(key.primer())) {
      update(key.text(), held -> held == null || held.entry() == null ? held
          : new Copy(null, held.entry().data().version() + 1, Long.MAX_VALUE));
    }
  }

  /** A write of {@code key} through this node was acknowledged with {@code data}: nothing older is copied again. */
  public void written(Key<?> key, EntryData data) {
    if (on(key.primer())) {
      outdate(key.text(), data.value() == null ? data.version() + 1 : data.version());
    }
  }

  /**
   * The key's actor starts on this node, which owns it from now on: a copy made while another node
   * owned it goes, so that no change the new owner makes can be followed by the copy here.
   */
  public void owned(String key) {
    copies.computeIfPresent(key, (text, place) -> empty(place));
  }

  /** No version of {@code key} below {@code floor} may answer a get here. */
  void outdate(String key, long floor) {
    update(key, held -> {
      if (held != null && held.entry() != null && held.entry().data().version() >= floor) {
        return held;
      }
      return new Copy(null, held == null ? floor : Math.max(floor, held.floor()), Long.MAX_VALUE);
    });
  }

  /** Replaces the copy of {@code key} by what {@code change} makes of it (null: there is none), atomically. */
  private void update(String key, UnaryOperator<Copy> change) {
    Place[] changed = {null};
    copies.compute(key, (text, place) -> {
      Copy held = place == null ? null : place.copy();
      Copy next = change.apply(held);
      if (next == held) {
        return place;
      } else if (next == null) {
        return place == null ? null : empty(place);
      }
      Place target = place != null ? place : new Place(id);
      target.hold(next);
      changed[0] = target;
      return target;
    });
    if (changed[0] != null) {
      bound.put(key, changed[0]); // its age counts from this change
    }
  }

  /** Empties {@code place} as it leaves the map (inside the map's operation on its key): null. */
  private static Place empty(Place place) {
    place.entry = null;
    return null;
  }

  /**
   * The key's actor changed it: every member's near cache (this one too: the shard may have moved
   * here from a node that kept copies) hears that versions below {@code floor} are gone.
   */
  public void changed(String key, long floor) {
    Changed message = new Changed(key, floor);
    for (Member member : Cluster.get(system).state().getMembers()) {
      listeners.computeIfAbsent(member.address(),
              address -> system.classicSystem().actorSelection(address + "/system/" + LISTENER))
          .tell(message, ActorRef.noSender());
    }
  }

  /**
   * Until when a copy of {@code data} may answer: at most {@code max-age} from now, and no longer
   * than the value stays fresh by its primer's policy (a max-age value's soft age, a periodic
   * value's next refresh), counted from when it was computed.
   */
  private long deadline(Primer<?> primer, EntryData data, long now) {
    long until = now + maxAgeMillis;
    return data.computedAt() == null ? until
        : Math.min(until, settings.of(primer).freshUntilMillis(data.computedAt()));
  }
}
