package io.kck.sql;

import com.typesafe.config.Config;
import io.kck.primer.Parameter;
import io.kck.primer.TableSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sources of an SQL primer, from its configuration:
 *
 * <pre>
 * sources = [ { table = "sales", keys { register = register_id, day = sold_at }, on-change = outdate } ]
 * </pre>
 *
 * {@code keys} names, for each of the primer's parameters, the column of the changed row that gives
 * its value (parsed as the parameter parses a key's text; a date parameter takes the day of a
 * timestamp column); {@code on-change} is {@code outdate} (the default) or {@code refresh}. A row
 * whose key columns are NULL affects no key.
 */
final class SqlSources {
  private SqlSources() {}

  static List<TableSource> of(String primer, Config config, List<Parameter<?>> parameters) {
    if (!config.hasPath("sources")) {
      return List.of();
    }
    String path = "kck.sql-primers.\"" + primer + "\".sources";
    List<TableSource> sources = new ArrayList<>();
    for (Config source : config.getConfigList("sources")) {
      Config keys = source.getConfig("keys");
      List<String> columns = new ArrayList<>();
      for (Parameter<?> parameter : parameters) {
        if (!keys.hasPath(parameter.name())) {
          throw new IllegalArgumentException(path + ": keys names no column for the parameter '" + parameter.name()
              + "' (give one for each of " + parameters + ")");
        }
        columns.add(keys.getString(parameter.name()));
      }
      if (keys.root().size() != parameters.size()) {
        throw new IllegalArgumentException(path + ": keys names parameters the primer does not have: "
            + keys.root().keySet() + " for " + parameters);
      }
      String onChange = source.hasPath("on-change") ? source.getString("on-change") : "outdate";
      TableSource.Action action = switch (onChange.toLowerCase(Locale.ROOT)) {
        case "outdate" -> TableSource.Action.OUTDATE;
        case "refresh" -> TableSource.Action.REFRESH;
        default -> throw new IllegalArgumentException(path + ": on-change is outdate or refresh, not '" + onChange + "'");
      };
      sources.add(TableSource.table(source.getString("table")).onChange(action).keyParameters(row -> {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < parameters.size(); i++) {
          String text = row.text(columns.get(i));
          if (text == null) {
            return null;
          }
          Parameter<?> parameter = parameters.get(i);
          values.add(parameter.type() == LocalDate.class ? row.getDate(columns.get(i)) : parameter.parse(text));
        }
        return values;
      }));
    }
    return List.copyOf(sources);
  }
}
