package io.kck.entity;

import io.kck.persistence.KckSerializable;
import java.time.Instant;

/**
 * A propagation wave: the change of one key ({@code id}, "key@version") and everything recomputed
 * downstream because of it. Change notifications carry it, so that each dependent's compute logs
 * under it (SLF4J MDC {@code kck.wave}), traces under it (JFR), passes it on with its own change,
 * and measures how far behind the origin it is ({@code kck.propagation.lag}: from {@code
 * startedAt}, the origin's write on its node's clock, to the dependent's new version).
 */
public record Wave(String id, Instant startedAt) implements KckSerializable {

  /** The wave that the change of {@code key} to {@code version} at {@code at} starts. */
  public static Wave startedBy(String key, long version, Instant at) {
    return new Wave(key + "@" + version, at);
  }

  /** The earlier of two waves (either may be null): a compute that saw both belongs to the first. */
  public static Wave earlier(Wave a, Wave b) {
    if (a == null) {
      return b;
    }
    return b == null || !b.startedAt.isBefore(a.startedAt) ? a : b;
  }
}
