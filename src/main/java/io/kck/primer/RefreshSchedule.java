package io.kck.primer;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * When a primer refreshes its warm keys by the calendar: a cron expression read in a time zone,
 * for example {@code RefreshSchedule.cron("0 2 * * *", ZoneId.of("Europe/Berlin"))}, every day at
 * 02:00 Berlin time. A primer declares it with {@link PrimerBuilder#refreshSchedule} or by
 * overriding {@link Primer#refreshSchedule()}; {@code kck.primers."<name>".refresh-schedule} in
 * HOCON takes precedence.
 *
 * <p><b>Expressions</b> have the five fields of Unix cron: minute, hour, day of month, month, day
 * of week ({@code 0 2 * * *}, {@code *}{@code /15 * * * *}, {@code 0 6 * * MON-FRI}), parsed by
 * cron-utils.
 *
 * <p><b>Daylight saving.</b> A tick falls on the local time the expression names. On the day the
 * clocks go forward, a local time that does not exist (02:30 in Europe/Berlin on the last Sunday
 * of March) ticks once, at the end of the gap (03:00 local, the instant the clocks jumped): a daily
 * refresh is not lost. On the day they go back, a local time that occurs twice ticks once, at its
 * first occurrence.
 *
 * <p><b>Missed ticks.</b> A tick that passed while no node of the cluster ran (see {@link
 * MissedTicks}): run once when KCK starts, or skipped; empty means {@code kck.schedules.missed-ticks}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RefreshSchedule {
  // Not a record: its components would be public as they are, and two cannot be. missedTicks() answers
  // an Optional of what may be unset (a record's accessor answers the field, null), and the parsed cron
  // (a cron-utils type, which no API signature may name) would be a component or be parsed anew on
  // every tick asked for. A public canonical constructor would also let an unparsed expression in.

  /** What KCK does, when it starts, with ticks that passed while no node ran the schedule. */
  public enum MissedTicks {
    /** However many passed, the primer's warm keys are refreshed once, at start. */
    RUN_ONCE,
    /** They are skipped: the next refresh is the next tick. */
    SKIP
  }

  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final String expression;
  private final ZoneId zone;
  private final MissedTicks missedTicks; // null: kck.schedules.missed-ticks
  private final ExecutionTime ticks;
  private final Cron cron;

  private RefreshSchedule(String expression, ZoneId zone, MissedTicks missedTicks, Cron cron) {
    this.expression = expression;
    this.zone = zone;
    this.missedTicks = missedTicks;
    this.cron = cron;
    this.ticks = ExecutionTime.forCron(cron);
  }

  /**
   * Ticks at the times {@code expression} names, read in {@code zone}.
   *
   * @throws IllegalArgumentException naming the expression and what is wrong with it (not five
   *     fields, a value out of range, ...); or if {@code zone} is null
   */
  public static RefreshSchedule cron(String expression, ZoneId zone) {
    if (zone == null) {
      throw new IllegalArgumentException("A refresh schedule needs a time zone (for example ZoneId.of(\"Europe/Berlin\")),"
          + " got null for '" + expression + "'");
    }
    if (expression == null || expression.isBlank()) {
      throw new IllegalArgumentException("A refresh schedule needs a cron expression of five fields (minute hour"
          + " day-of-month month day-of-week, for example \"0 2 * * *\"), got '" + expression + "'");
    }
    String trimmed = expression.trim();
    Cron parsed;
    try {
      parsed = PARSER.parse(trimmed);
      parsed.validate();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Invalid cron expression '" + trimmed + "' (five fields: minute hour"
          + " day-of-month month day-of-week, for example \"0 2 * * *\"): " + e.getMessage(), e);
    }
    return new RefreshSchedule(trimmed, zone, null, parsed);
  }

  /** This schedule with {@code policy} for missed ticks, instead of {@code kck.schedules.missed-ticks}. */
  public RefreshSchedule missedTicks(MissedTicks policy) {
    return new RefreshSchedule(expression, zone, Objects.requireNonNull(policy, "policy"), cron);
  }

  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The primer's own policy for missed ticks; empty: {@code kck.schedules.missed-ticks} decides. */
  public Optional<MissedTicks> missedTicks() {
    return Optional.ofNullable(missedTicks);
  }

  /** The first tick strictly after {@code instant}; empty if the expression never ticks again. */
  public Optional<Instant> nextTickAfter(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    Optional<Instant> next = ticks.nextExecution(instant.atZone(zone)).map(ZonedDateTime::toInstant);
    // A gap in the zone's local time before that tick may hold a tick that did not exist locally.
    ZoneOffsetTransition transition = zone.getRules().nextTransition(instant);
    while (transition != null && next.isPresent() && transition.getInstant().isBefore(next.get())) {
      if (transition.isGap() && namesATimeIn(transition)) {
        return Optional.of(transition.getInstant());
      }
      transition = zone.getRules().nextTransition(transition.getInstant());
    }
    return next;
  }

  /** The last tick at or before {@code instant}; empty if it never ticked before. */
  public Optional<Instant> lastTickAtOrBefore(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    Optional<Instant> last = ticks.lastExecution(instant.atZone(zone)).map(ZonedDateTime::toInstant);
    // cron-utils answers one strictly before; a tick exactly at the instant, or at the end of a gap, is later.
    Optional<Instant> later = last.flatMap(this::nextTickAfter);
    while (later.isPresent() && !later.get().isAfter(instant)) {
      last = later;
      later = nextTickAfter(later.get());
    }
    return last;
  }

  /** Whether the expression names a local time inside the gap {@code transition} makes. */
  private boolean namesATimeIn(ZoneOffsetTransition transition) {
    // Read at the offset before the gap, the local times of the gap exist.
    ZonedDateTime gapStart = transition.getDateTimeBefore().atZone(transition.getOffsetBefore());
    Optional<ZonedDateTime> inGap = ticks.nextExecution(gapStart.minusSeconds(1));
    return inGap.isPresent() && inGap.get().toLocalDateTime().isBefore(transition.getDateTimeAfter());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RefreshSchedule that && expression.equals(that.expression) && zone.equals(that.zone)
        && Objects.equals(missedTicks, that.missedTicks);
  }

  @Override
  public int hashCode() {
    return Objects.hash(expression, zone, missedTicks);
  }

  /** As HOCON says it, e.g. {@code cron "0 2 * * *" in Europe/Berlin}. */
  @Override
  public String toString() {
    return "cron \"" + expression + "\" in " + zone
        + (missedTicks == null ? "" : ", missed ticks: " + missedTicks.name().toLowerCase(Locale.ROOT).replace('_', '-'));
  }
}
