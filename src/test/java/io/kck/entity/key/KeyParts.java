package io.kck.entity.key;

import akka.actor.testkit.typed.javadsl.TestInbox;
import io.kck.entity.KeyCommand;
import io.kck.entity.settings.PrimerSettings;
import io.kck.primer.Key;
import org.slf4j.LoggerFactory;

/**
 * The parts of one key wired as {@link KeyEntity} wires them, on a {@link LocalRuntime}, with
 * timers that only record and the key's own address an inbox: what a test of one part needs of
 * the others, without an actor.
 */
final class KeyParts {
  final Key<?> key;
  final PrimerSettings settings;
  final RecordingTimers timers = new RecordingTimers();
  final TestInbox<KeyCommand> self = TestInbox.create("self");
  final Attempts attempts;
  final Backoff backoff;
  final FreshnessClock freshness;
  final Replies replies;
  final Dependencies dependencies;
  final LocalHits localHits;
  final Observers observers;
  final SingleFlight flight;
  final Deltas deltas;

  KeyParts(LocalRuntime local, Key<?> key) {
    KeyRuntime runtime = local.runtime;
    this.key = key;
    this.settings = runtime.settings().of(key.primer());
    this.attempts = new Attempts(runtime.meters(key.primer()).waiting);
    this.freshness = new FreshnessClock(settings.freshness(), timers, runtime.clock(), settings.keepsKeysWarm(), () -> {});
    this.backoff = new Backoff(runtime.settings(), runtime.clock());
    this.replies = new Replies(key.text(), attempts, backoff, freshness);
    this.dependencies = new Dependencies(key, runtime, timers);
    this.localHits = new LocalHits(key, runtime, attempts, freshness, replies, dependencies,
        settings.retention()::servedWithoutRecordingUntilMillis);
    this.observers = new Observers(key.text(), key.primer().name(), runtime.hooks(), runtime.meters(key.primer()).watching);
    this.deltas = new Deltas(key, runtime);
    this.flight = new SingleFlight(key, runtime, self.getRef(), timers, LoggerFactory.getLogger(SingleFlight.class),
        attempts, backoff, freshness, dependencies, observers, replies, () -> true);
  }
}
