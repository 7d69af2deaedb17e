package io.kck.entity.key;

import io.kck.entity.KeyCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Timers that only record: which are armed now, with what message and delay, and every start. */
final class RecordingTimers implements KeyTimers {
  record Timer(String name, KeyCommand message, Duration delay) {}

  final Map<String, Timer> armed = new HashMap<>();
  final List<Timer> started = new ArrayList<>();

  @Override
  public void start(String name, KeyCommand message, Duration delay) {
    Timer timer = new Timer(name, message, delay);
    armed.put(name, timer);
    started.add(timer);
  }

  @Override
  public void cancel(String name) {
    armed.remove(name);
  }

  @Override
  public void cancelAll() {
    armed.clear();
  }
}
