package io.kck.primer;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A table of PostgreSQL that a primer's values are made from, and what a committed change of one of
 * its rows does to the keys made from that row. KCK follows the table through logical replication
 * (docs/sources.md): a row inserted, updated or deleted by anybody, with plain SQL, reaches exactly
 * the keys it maps to, and the rest follows by propagation.
 *
 * <pre>{@code
 * Primer.builder("register-sales", DaySales.class)
 *     .parameters(REGISTER, DAY)
 *     .compute(...)
 *     .augment(Augment.of(Sale.class, DaySales::plus))
 *     .source(TableSource.table("sales")
 *         .keyParameters(row -> List.of(row.getInt("register_id"), row.getDate("sold_at")))
 *         .augment(row -> new Sale(row.getTime("sold_at"), row.getString("item"), row.getLong("cents"))))
 *     .build();
 * }</pre>
 *
 * <p>The mapping runs on the row as it was before the change (updates and deletes) and on the row as
 * it is after it (inserts and updates): an update that moves a row from one key to another affects
 * both. What happens to each affected key is the source's {@link Action}:
 *
 * <ul>
 *   <li>{@link Action#OUTDATE} (the default): the key's value is dropped, as by {@code invalidate}; the
 *       next get computes it, and its dependents hear of the change;
 *   <li>{@link Action#REFRESH}: the same, and the key recomputes at once;
 *   <li>{@link Action#AUGMENT} ({@link #augment}): a delta made from the row is applied to the value in
 *       place (the primer must declare {@link Primer#augment()}). A row added to a key gives the
 *       {@code added} delta; a row removed from a key (deleted, or moved to another key) gives the
 *       {@code removed} delta when one is declared, and otherwise outdates the key. A function that
 *       answers null outdates the key too.
 * </ul>
 *
 * <p>Keys that have never been written (nobody computed them) are not started by a change: their
 * first compute reads the row (a change committed while that first compute runs still reaches the
 * key, which computes again). The functions run on KCK's change-feed thread, one change at a time:
 * keep them fast and free of side effects. A function that throws is logged, and the change then
 * outdates the keys it could map (or none, when the mapping itself threw).
 *
 * <p>Immutable: each method answers a new source.
 */
public final class TableSource {

  /** What a change of a row does to a key made from it. */
  public enum Action {
    /** Drop the value; the next get computes (dependents are told). */
    OUTDATE,
    /** Drop the value and recompute now. */
    REFRESH,
    /** Apply a delta made from the row in place; see {@link TableSource#augment}. */
    AUGMENT
  }

  /** What happened to a row. */
  public enum Operation {
    INSERT,
    UPDATE,
    DELETE
  }

  /**
   * One image of a changed row (before or after the change), as PostgreSQL's change stream gives it:
   * each column's value in PostgreSQL's text form, or null. Typed getters parse that text; each fails
   * with {@link IllegalArgumentException} naming the column when it is not in the row.
   */
  public interface Row {
    /** The table, as {@code schema.table}. */
    String table();

    /** What happened to the row. */
    Operation operation();

    /** The columns and their values in text form (null: SQL NULL). */
    Map<String, String> columns();

    /** The value of {@code column} in PostgreSQL's text form, or null for SQL NULL. */
    default String text(String column) {
      Map<String, String> columns = columns();
      if (!columns.containsKey(column)) {
        throw new IllegalArgumentException("The change of a row of " + table() + " has no column '" + column
            + "' (it has " + columns.keySet() + "); is the table's REPLICA IDENTITY FULL?");
      }
      return columns.get(column);
    }

    default String getString(String column) {
      return text(column);
    }

    default Integer getInt(String column) {
      String text = text(column);
      return text == null ? null : Integer.valueOf(text);
    }

    default Long getLong(String column) {
      String text = text(column);
      return text == null ? null : Long.valueOf(text);
    }

    default BigDecimal getDecimal(String column) {
      String text = text(column);
      return text == null ? null : new BigDecimal(text);
    }

    default Boolean getBoolean(String column) {
      String text = text(column);
      return text == null ? null : text.equals("t") || text.equalsIgnoreCase("true");
    }

    /** A {@code date} column, or the day of a {@code timestamp}/{@code timestamptz} one (as written). */
    default LocalDate getDate(String column) {
      String text = text(column);
      return text == null ? null : LocalDate.parse(text.length() > 10 ? text.substring(0, 10) : text);
    }

    /** A {@code timestamptz} column ({@code 2026-11-02 18:00:00+00}). */
    default OffsetDateTime getTimestamp(String column) {
      String text = text(column);
      if (text == null) {
        return null;
      }
      String iso = text.replace(' ', 'T');
      if (iso.matches(".*[+-]\\d\\d$")) {
        iso = iso + ":00";
      }
      return OffsetDateTime.parse(iso);
    }
  }

  private final String table;
  private final Function<Row, ? extends Collection<? extends Key<?>>> keys;
  private final Function<Row, ? extends List<?>> keyParameters;
  private final Action action;
  private final Function<Row, ?> added;
  private final Function<Row, ?> removed;

  private TableSource(String table, Function<Row, ? extends Collection<? extends Key<?>>> keys,
      Function<Row, ? extends List<?>> keyParameters, Action action, Function<Row, ?> added, Function<Row, ?> removed) {
    this.table = table;
    this.keys = keys;
    this.keyParameters = keyParameters;
    this.action = action;
    this.added = added;
    this.removed = removed;
  }

  /**
   * The table {@code name} ({@code "sales"}, in schema {@code public}, or {@code "shop.sales"}). Quote
   * nothing: the name is taken as written, lower case as PostgreSQL folds unquoted names.
   */
  public static TableSource table(String name) {
    Objects.requireNonNull(name, "name");
    String qualified = name.contains(".") ? name : "public." + name;
    if (!qualified.matches("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*")) {
      throw new IllegalArgumentException("A source table is named schema.table or table, of letters, digits and _: '"
          + name + "'");
    }
    return new TableSource(qualified.toLowerCase(Locale.ROOT), null, null, Action.OUTDATE, null, null);
  }

  /**
   * The keys a row affects (of this primer, or of others), for rows that map to several keys or to
   * none (an empty collection). Called on the row before and after the change.
   */
  public TableSource keys(Function<Row, ? extends Collection<? extends Key<?>>> keys) {
    return new TableSource(table, Objects.requireNonNull(keys, "keys"), null, action, added, removed);
  }

  /**
   * The parameter values of the one key of the declaring primer a row affects, in the primer's
   * order (null: the row affects no key). Called on the row before and after the change.
   */
  public TableSource keyParameters(Function<Row, ? extends List<?>> parameters) {
    return new TableSource(table, null, Objects.requireNonNull(parameters, "parameters"), action, added, removed);
  }

  /** What a change does to the keys: {@link Action#OUTDATE} (the default) or {@link Action#REFRESH}. */
  public TableSource onChange(Action action) {
    Objects.requireNonNull(action, "action");
    if (action == Action.AUGMENT) {
      throw new IllegalArgumentException("A source augments with augment(row -> delta): give the delta's function");
    }
    return new TableSource(table, keys, keyParameters, action, null, null);
  }

  /**
   * A row added to a key (inserted, or moved to it by an update) applies {@code added}'s delta to the
   * key; a row removed from a key outdates it.
   */
  public TableSource augment(Function<Row, ?> added) {
    return new TableSource(table, keys, keyParameters, Action.AUGMENT, Objects.requireNonNull(added, "added"), null);
  }

  /**
   * As {@link #augment(Function)}, and a row removed from a key (deleted, or moved away by an update)
   * applies {@code removed}'s delta (made from the row as it was). An update that leaves a row in its
   * key applies both: the removal of the old row, then the addition of the new one.
   */
  public TableSource augment(Function<Row, ?> added, Function<Row, ?> removed) {
    return new TableSource(table, keys, keyParameters, Action.AUGMENT, Objects.requireNonNull(added, "added"),
        Objects.requireNonNull(removed, "removed"));
  }

  /** {@code schema.table}, lower case. */
  public String table() {
    return table;
  }

  public Action action() {
    return action;
  }

  /**
   * The keys of {@code primer} (or of any primer, with {@link #keys}) that {@code row} affects.
   *
   * @throws IllegalStateException if neither {@link #keys} nor {@link #keyParameters} was given
   */
  public List<Key<?>> keysOf(Primer<?> primer, Row row) {
    Objects.requireNonNull(primer, "primer");
    Objects.requireNonNull(row, "row");
    if (keys != null) {
      Collection<? extends Key<?>> found = keys.apply(row);
      return found == null ? List.of() : new ArrayList<>(found);
    }
    if (keyParameters != null) {
      List<?> values = keyParameters.apply(row);
      return values == null ? List.of() : List.of(primer.key(values.toArray()));
    }
    throw new IllegalStateException("The source " + table + " of " + primer
        + " maps rows to no key: give keys(row -> ...) or keyParameters(row -> ...)");
  }

  /** The delta a row added to a key applies, or null (then the key is outdated); null without augment. */
  public Object added(Row row) {
    Objects.requireNonNull(row, "row");
    return added == null ? null : added.apply(row);
  }

  /** The delta a row removed from a key applies, or null (then the key is outdated). */
  public Object removed(Row row) {
    Objects.requireNonNull(row, "row");
    return removed == null ? null : removed.apply(row);
  }

  /** Whether a row removed from a key applies a delta (else it outdates the key). */
  public boolean augmentsRemovals() {
    return removed != null;
  }

  @Override
  public String toString() {
    return "TableSource(" + table + ", " + action.name().toLowerCase(Locale.ROOT) + ")";
  }
}
