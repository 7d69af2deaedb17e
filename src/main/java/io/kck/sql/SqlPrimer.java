package io.kck.sql;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Type;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.kck.persistence.KckDatabaseProvider;
import io.kck.primer.ComputeContext;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A data product defined in HOCON alone ({@code kck.sql-primers."<name>"}): a JDBC query whose
 * {@code :name} placeholders are the key's parameters, bound as JDBC parameters (never spliced
 * into the SQL text), and whose rows are the value: a list of column-name-to-value maps, or with
 * {@code row-class = "com.example.Sale"} a list of that type (each row read by Jackson from its
 * columns, by name). {@link
 * io.kck.Kck#start} registers every primer configured there.
 *
 * <pre>
 * kck.sql-primers."sales-by-register" {
 *   # empty: KCK's own database (kck.database, embedded or not)
 *   url = "jdbc:postgresql://db:5432/shop", user = "reader", password = ${?SHOP_DB_PASSWORD}
 *   parameters = [ { name = register, type = int }, { name = day, type = date } ]
 *   query = "SELECT at, item, cents FROM sales WHERE register = :register AND day = :day ORDER BY at"
 *   freshness { policy = periodic, interval = 5m }
 * }
 * </pre>
 *
 * <p>Parameter types: {@code int}, {@code long}, {@code string}, {@code boolean}, {@code date}
 * (ISO {@code 2026-11-02}). Column values: numbers, strings and booleans as they are; dates, times
 * and timestamps as ISO text. Each compute opens one connection (no pool: the compute pool bounds
 * how many run at once).
 */
public final class SqlPrimer extends Primer<Object> {
  // Turns row maps into row-class objects (java.time types included).
  private static final ObjectMapper ROWS = new ObjectMapper().findAndRegisterModules()
      .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final Pattern PLACEHOLDER = Pattern.compile("(?<![:\\w]):([A-Za-z][A-Za-z0-9_]*)");

  private final String url;
  private final String user;
  private final String password;
  private final String sql;
  private final List<Parameter<?>> bound;
  private final Freshness freshness;
  private final JavaType rowsAs; // null: rows as maps

  private SqlPrimer(
      String name, Config config, Parameter<?>[] parameters, KckDatabaseProvider.DatabaseSettings own, JavaType rowsAs) {
    super(name, typeOf(rowsAs), parameters);
    this.rowsAs = rowsAs;
    String configuredUrl = config.hasPath("url") ? config.getString("url") : "";
    this.url = configuredUrl.isBlank() ? own.jdbcUrl() : configuredUrl;
    this.user = configuredUrl.isBlank() ? own.user() : (config.hasPath("user") ? config.getString("user") : "");
    this.password = configuredUrl.isBlank() ? own.password() : (config.hasPath("password") ? config.getString("password") : "");
    String query = config.getString("query");
    List<Parameter<?>> order = new ArrayList<>();
    Matcher placeholder = PLACEHOLDER.matcher(query);
    StringBuilder text = new StringBuilder();
    while (placeholder.find()) {
      String parameterName = placeholder.group(1);
      Parameter<?> parameter = parameters().stream().filter(p -> p.name().equals(parameterName)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("kck.sql-primers.\"" + name + "\": the query uses :"
              + parameterName + ", which is not one of its parameters " + parameters()));
      order.add(parameter);
      placeholder.appendReplacement(text, "?");
    }
    placeholder.appendTail(text);
    this.sql = text.toString();
    this.bound = List.copyOf(order);
    this.freshness = config.hasPath("freshness")
        ? Freshness.fromConfig("kck.sql-primers.\"" + name + "\".freshness", config.getConfig("freshness"))
        : Freshness.neverExpires();
  }

  /**
   * The primers of {@code kck.sql-primers} in {@code config}.
   *
   * @throws IllegalArgumentException naming the primer and the setting when one is invalid
   */
  public static List<Primer<?>> fromConfig(Config config) {
    Config all = config.getConfig("kck.sql-primers");
    List<Primer<?>> primers = new ArrayList<>();
    KckDatabaseProvider.DatabaseSettings own = null;
    for (String name : all.root().keySet()) {
      Config one = all.getConfig("\"" + name + "\"");
      try {
        List<Parameter<?>> parameters = new ArrayList<>();
        for (Config parameter : one.hasPath("parameters") ? one.getConfigList("parameters") : List.<Config>of()) {
          parameters.add(parameter(name, parameter.getString("name"), parameter.getString("type")));
        }
        String url = one.hasPath("url") ? one.getString("url") : "";
        if (url.isBlank() && own == null) {
          own = KckDatabaseProvider.DatabaseSettings.from(config);
        }
        JavaType rowsAs = null;
        if (one.hasPath("row-class")) {
          String className = one.getString("row-class");
          try {
            rowsAs = ROWS.getTypeFactory().constructCollectionType(
                List.class, Class.forName(className, false, Thread.currentThread().getContextClassLoader()));
          } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("kck.sql-primers.\"" + name + "\": row-class " + className + " not found", e);
          }
        }
        primers.add(new SqlPrimer(name, one, parameters.toArray(Parameter<?>[]::new), own, rowsAs));
      } catch (ConfigException e) {
        throw new IllegalArgumentException("kck.sql-primers.\"" + name + "\": " + e.getMessage(), e);
      }
    }
    return primers;
  }

  private static Parameter<?> parameter(String primer, String name, String type) {
    return switch (type) {
      case "int" -> Parameter.ofInt(name);
      case "long" -> Parameter.ofLong(name);
      case "string" -> Parameter.ofString(name);
      case "boolean" -> Parameter.ofBoolean(name);
      case "date" -> Parameter.ofDate(name);
      default -> throw new IllegalArgumentException("kck.sql-primers.\"" + primer + "\": parameter '" + name
          + "' has type '" + type + "'; use int, long, string, boolean or date");
    };
  }

  /** The value type: a list of row maps, or of {@code row-class}. */
  private static TypeReference<Object> typeOf(JavaType rowsAs) {
    Type type = rowsAs != null ? rowsAs : new TypeReference<List<Map<String, Object>>>() {}.getType();
    return new TypeReference<>() {
      @Override
      public Type getType() {
        return type;
      }
    };
  }

  @Override
  public Object compute(Key<Object> key, ComputeContext<Object> context) throws Exception {
    List<Map<String, Object>> rows = query(key);
    return rowsAs == null ? rows : ROWS.convertValue(rows, rowsAs);
  }

  private List<Map<String, Object>> query(Key<Object> key) throws Exception {
    try (Connection connection = DriverManager.getConnection(url, user, password);
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < bound.size(); i++) {
        statement.setObject(i + 1, key.get(bound.get(i)));
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        ResultSetMetaData columns = result.getMetaData();
        while (result.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int column = 1; column <= columns.getColumnCount(); column++) {
            row.put(columns.getColumnLabel(column), jsonFriendly(result.getObject(column)));
          }
          rows.add(row);
        }
      }
      return rows;
    }
  }

  private static Object jsonFriendly(Object value) {
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
        || value instanceof Long || value instanceof BigDecimal || value instanceof Double) {
      return value;
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate().toString();
    }
    if (value instanceof java.sql.Time time) {
      return time.toLocalTime().toString();
    }
    if (value instanceof java.sql.Timestamp timestamp) {
      return timestamp.toInstant().toString();
    }
    if (value instanceof Number number) {
      return number;
    }
    return value.toString();
  }

  @Override
  public Freshness freshness() {
    return freshness;
  }
}
