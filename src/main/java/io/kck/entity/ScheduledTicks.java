package io.kck.entity;

import akka.actor.typed.ActorRef;
import io.kck.persistence.KckSerializable;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The protocol, events and state of the primers' refresh schedules (the behavior: {@code
 * io.kck.entity.cluster.ScheduledRefreshes}). The events and the state are journaled under these
 * class names, so they stay here.
 */
public final class ScheduledTicks {
  private ScheduledTicks() {}

  public sealed interface Command {}

  /** The schedules' own timer: run the ticks that are due. */
  public enum Check implements Command, KckSerializable {
    INSTANCE
  }

  /** The journal is read: deal with the ticks that passed while no node ran the schedules. */
  public enum Start implements Command, KckSerializable {
    INSTANCE
  }

  /** This node's shard region of the keys runs: refreshing them through sharding can start. */
  public enum RegionStarted implements Command, KckSerializable {
    INSTANCE
  }

  /**
   * The ticks decided at one look ({@code ticks}: to run or skipped), with the warm keys read for
   * those that run ({@code warmKeys} null when the registry did not answer).
   */
  public record Decided(List<TickDone> ticks, Set<String> warmKeys) implements Command, KckSerializable {}

  /** Answers what was journaled of each primer's ticks (for tests and operators). */
  public record Describe(ActorRef<Ticks> replyTo) implements Command, KckSerializable {}

  /** Per primer, the last tick dealt with. */
  public record Ticks(Map<String, TickDone> done) implements KckSerializable {}

  public sealed interface Event extends KckSerializable {}

  /**
   * Every tick of {@code primer} up to {@code tickMillis} is dealt with: its warm keys were
   * refreshed ({@code ran}), or the ticks were skipped (by the missed-ticks policy, or because the
   * schedule was new: nothing before it is owed).
   */
  public record TickDone(String primer, long tickMillis, boolean ran) implements Event {}

  /** Per primer, the last tick dealt with and whether it ran. Mutable on purpose, as {@link WarmKeys.State}. */
  public record State(Map<String, TickDone> done) implements KckSerializable {}
}
