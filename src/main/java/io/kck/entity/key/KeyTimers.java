package io.kck.entity.key;

import akka.actor.typed.javadsl.TimerScheduler;
import io.kck.entity.KeyCommand;
import java.time.Duration;

/**
 * The named single-shot timers of one key's actor, as its parts use them: a narrow view of Akka's
 * {@link TimerScheduler}, so that the parts can be tested without an actor.
 */
interface KeyTimers {
  /** Sends {@code message} to the key after {@code delay}, replacing a timer of that name. */
  void start(String name, KeyCommand message, Duration delay);

  void cancel(String name);

  /** Cancels every timer of the key (it was forgotten: nothing it planned is due any more). */
  void cancelAll();

  /** The timers of an actor: the production implementation. */
  static KeyTimers of(TimerScheduler<KeyCommand> scheduler) {
    return new KeyTimers() {
      @Override
      public void start(String name, KeyCommand message, Duration delay) {
        scheduler.startSingleTimer(name, message, delay);
      }

      @Override
      public void cancel(String name) {
        scheduler.cancel(name);
      }

      @Override
      public void cancelAll() {
        scheduler.cancelAll();
      }
    };
  }
}
