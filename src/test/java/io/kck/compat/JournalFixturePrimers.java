package io.kck.compat;

import io.kck.primer.Augment;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.Propagation;
import java.util.List;

/**
 * The primers of the journal in {@code src/test/resources/journal-0.1/}, as they were when it was
 * written; with {@code computes} false, a compute fails, so that a test sees a value that comes
 * from the journal rather than from computing it again.
 */
final class JournalFixturePrimers {
  static final Parameter<Integer> ID = Parameter.ofInt("id");

  private JournalFixturePrimers() {}

  /** A plain product: its value is "base-" and the id. */
  static Primer<String> base(boolean computes) {
    return Primer.builder("compat-base", String.class).parameters(ID)
        .compute((key, context) -> allowed(computes, "base-" + key.get(ID))).build();
  }

  /** A log that grows by deltas (augment): each delta is journaled as an event of its own. */
  static Primer<String> log(boolean computes) {
    return Primer.builder("compat-log", String.class).parameters(ID)
        .compute((key, context) -> allowed(computes, "start"))
        .augment(Augment.of(String.class, (log, entry) -> log + "," + entry))
        .build();
  }

  /** A derived product that reads two base products: its edges are journaled on both sides. */
  static Primer<String> derived(boolean computes) {
    return Primer.builder("compat-derived", String.class).parameters(ID)
        .compute((key, context) -> allowed(computes,
            context.get(base(computes).key(key.get(ID))) + "+" + context.get(base(computes).key(key.get(ID) + 1))))
        .build();
  }

  /** A lazy dependent: an input's new version marks it outdated (a journaled event) instead of recomputing. */
  static Primer<String> lazy(boolean computes) {
    return Primer.builder("compat-lazy", String.class).parameters(ID)
        .propagation(Propagation.LAZY)
        .compute((key, context) -> "lazy:" + context.get(base(computes).key(key.get(ID))))
        .build();
  }

  static List<Primer<?>> all(boolean computes) {
    return List.of(base(computes), log(computes), derived(computes), lazy(computes));
  }

  private static String allowed(boolean computes, String value) {
    if (!computes) {
      throw new IllegalStateException("computed again instead of read from the journal");
    }
    return value;
  }
}
