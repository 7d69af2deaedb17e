package io.kck.http;

import io.kck.Kck;
import io.kck.primer.HookEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The last {@link #KEPT} changes of keys that live on this node (new values, deltas,
 * invalidations, failed computes), newest first: the page's live feed. Fed by a hook on every
 * primer; bounded, so a busy node keeps only the latest. Thread-safe.
 */
final class RecentChanges {
  static final int KEPT = 100;

  /** One change: the key, what happened, its version after (0 for a failure), and when. */
  record Change(String key, String action, long version, boolean failed, Instant at) {}

  private final ArrayDeque<Change> changes = new ArrayDeque<>();

  RecentChanges(Kck kck) {
    kck.primers().forEach(primer -> kck.addHook(primer, this::on));
  }

  private void on(HookEvent event) {
    if (event.phase() != HookEvent.Phase.AFTER || event.action() == HookEvent.Action.REFRESH) {
      return; // a refresh's compute is reported as a compute
    }
    Change change = new Change(event.key(), event.action().name().toLowerCase(Locale.ROOT), event.version(),
        event.failure() != null, Instant.now());
    synchronized (changes) {
      changes.addFirst(change);
      if (changes.size() > KEPT) {
        changes.removeLast();
      }
    }
  }

  List<Change> latest() {
    synchronized (changes) {
      return new ArrayList<>(changes);
    }
  }
}
