package io.kck.sql;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.kck.persistence.KckDatabaseProvider;
import io.kck.primer.ComputeContext;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.RefreshSchedule;
import io.kck.primer.TableSource;
import io.kck.primer.internal.FreshnessConfig;
import io.kck.primer.internal.ScheduleConfig;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
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
 * <p>It never runs as KCK: a primer with its own {@code url} needs its own {@code user}; with no url
 * it queries KCK's database as the embedded server's read-only role ({@code kck_reader}), which may
 * read the tables the primer names in {@code tables} (by default those of its {@code sources}) and
 * no other, or, when KCK's database is external, only with its own {@code user} and {@code
 * password}. Every compute
 * runs in a read-only transaction, with connect, socket and query timeouts, and fails past {@code
 * max-rows} rows or {@code max-bytes} of values ({@code kck.sql}, overridable per primer).
 *
 * <pre>
 * kck.sql-primers."sales-by-register" {
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
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private static final Pattern PLACEHOLDER = Pattern.compile("(?<![:\\w]):([A-Za-z][A-Za-z0-9_]*)");

  private final String url;
  private final String user;
  private final String password;
  private final Limits limits;
  private final String sql;
  private final List<Parameter<?>> bound;
  private final Freshness freshness;
  private final JavaType rowsAs; // null: rows as maps
  private final List<TableSource> sources;
  // Gives the embedded server's read-only role SELECT on the primer's tables; before the first query.
  private final ReadGrant grant;
  private volatile boolean granted;

  /** What lets the account of a primer read its tables: nothing but for KCK's embedded database. */
  private interface ReadGrant {
    void run() throws SQLException;
  }
  private final RefreshSchedule refreshSchedule; // null: none

  /** How long and how much one compute may take: {@code kck.sql}, overridden per primer. */
  record Limits(Duration connectTimeout, Duration queryTimeout, int maxRows, long maxBytes) {
    static Limits of(String name, Config defaults, Config primer) {
      Config merged = primer.withFallback(defaults);
      Limits limits = new Limits(merged.getDuration("connect-timeout"), merged.getDuration("query-timeout"),
          merged.getInt("max-rows"), merged.getBytes("max-bytes"));
      if (limits.connectTimeout.toSeconds() < 1 || limits.queryTimeout.toSeconds() < 1 || limits.maxRows < 1
          || limits.maxBytes < 1) {
        throw new IllegalArgumentException("kck.sql-primers.\"" + name + "\": connect-timeout and query-timeout must be"
            + " at least 1s, max-rows and max-bytes at least 1");
      }
      return limits;
    }
  }

  private SqlPrimer(String name, Config config, Parameter<?>[] parameters, Source source, Limits limits, JavaType rowsAs,
      Config whole) {
    super(name, typeOf(rowsAs), parameters);
    this.rowsAs = rowsAs;
    this.url = source.url();
    this.user = source.user();
    this.password = source.password();
    this.limits = limits;
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
        ? FreshnessConfig.fromConfig("kck.sql-primers.\"" + name + "\".freshness", config.getConfig("freshness"))
        : Freshness.neverExpires();
    this.sources = SqlSources.of(name, config, parameters());
    this.refreshSchedule = config.hasPath("refresh-schedule")
        ? ScheduleConfig.fromConfig("kck.sql-primers.\"" + name + "\".refresh-schedule", config.getConfig("refresh-schedule"))
        : null;
    List<String> tables = tables(name, config, sources);
    this.grant = source.embeddedReader()
        ? () -> KckDatabaseProvider.DatabaseSettings.grantEmbeddedReads(whole, tables) : () -> { };
  }

  /**
   * The tables the query reads ({@code tables}, by default those of {@code sources}): on KCK's
   * embedded database the read-only role may read these and no other.
   */
  private static List<String> tables(String name, Config config, List<TableSource> sources) {
    if (!config.hasPath("tables")) {
      return sources.stream().map(TableSource::table).distinct().toList();
    }
    List<String> tables = new ArrayList<>();
    for (String table : config.getStringList("tables")) {
      try {
        tables.add(TableSource.table(table).table());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("kck.sql-primers.\"" + name + "\".tables: '" + table
            + "' is not a table name (schema.table or table, of letters, digits and _)", e);
      }
    }
    return List.copyOf(tables);
  }

  /** {@code refresh-schedule { cron, zone, missed-ticks }}: when its warm keys are refreshed by the calendar. */
  @Override
  public Optional<RefreshSchedule> refreshSchedule() {
    return Optional.ofNullable(refreshSchedule);
  }

  /** The tables of {@code sources = [ { table, keys { parameter = column }, on-change } ]} (docs/sources.md). */
  @Override
  public List<TableSource> sources() {
    return sources;
  }

  /**
   * The primers of {@code kck.sql-primers} in {@code config}.
   *
   * @throws IllegalArgumentException naming the primer and the setting when one is invalid
   */
  public static List<Primer<?>> fromConfig(Config config) {
    Config all = config.getConfig("kck.sql-primers");
    Config defaults = config.hasPath("kck.sql") ? config.getConfig("kck.sql") : ConfigFactory.parseMap(
        Map.of("connect-timeout", "10s", "query-timeout", "60s", "max-rows", 10_000, "max-bytes", "16MiB"));
    List<Primer<?>> primers = new ArrayList<>();
    for (String name : all.root().keySet()) {
      Config one = all.getConfig("\"" + name + "\"");
      try {
        List<Parameter<?>> parameters = new ArrayList<>();
        for (Config parameter : one.hasPath("parameters") ? one.getConfigList("parameters") : List.<Config>of()) {
          parameters.add(parameter(name, parameter.getString("name"), parameter.getString("type")));
        }
        Source source = Source.of(name, one, config);
        Limits limits = Limits.of(name, defaults, one);
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
        primers.add(new SqlPrimer(name, one, parameters.toArray(Parameter<?>[]::new), source, limits, rowsAs, config));
      } catch (ConfigException e) {
        throw new IllegalArgumentException("kck.sql-primers.\"" + name + "\": " + e.getMessage(), e);
      }
    }
    return primers;
  }

  /**
   * Where a primer's query runs, and as whom: never as KCK itself. Its own {@code url} needs its own
   * {@code user}; an empty url means KCK's database, as the embedded server's read-only role when
   * that database is embedded, and otherwise only with the primer's own {@code user} and {@code
   * password} (KCK's credentials can write the journal).
   */
  record Source(String url, String user, String password, boolean embeddedReader) {
    static Source of(String name, Config primer, Config config) {
      String path = "kck.sql-primers.\"" + name + "\"";
      String url = primer.hasPath("url") ? primer.getString("url") : "";
      String user = primer.hasPath("user") ? primer.getString("user") : "";
      String password = primer.hasPath("password") ? primer.getString("password") : "";
      if (!url.isBlank()) {
        if (user.isBlank()) {
          throw new IllegalArgumentException(path + " queries " + url + " and needs its own user (and password):"
              + " a read-only account of that database");
        }
        return new Source(url, user, password, false);
      }
      if (!user.isBlank()) {
        return new Source(KckDatabaseProvider.DatabaseSettings.from(config).jdbcUrl(), user, password, false);
      }
      return KckDatabaseProvider.DatabaseSettings.embeddedReader(config)
          .map(reader -> new Source(reader.jdbcUrl(), reader.user(), reader.password(), true))
          .orElseThrow(() -> new IllegalArgumentException(path + " queries KCK's external database (kck.database.url)"
              + " and needs its own user and password there: a read-only role, not KCK's own, which can write the journal"));
    }

    @Override
    public String toString() {
      return "Source[" + url + ", user " + user + "]";
    }
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

  /**
   * Runs the query in a read-only transaction (rolled back, whatever it did), with the connect,
   * socket and query timeouts of {@link Limits}, and stops reading past {@code max-rows} rows or
   * about {@code max-bytes} of values: a product must not grow without bound because a table did.
   */
  private List<Map<String, Object>> query(Key<Object> key) throws Exception {
    if (!granted) {
      grant.run(); // once it succeeded; a table created later is granted by the next compute
      granted = true;
    }
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    // pgjdbc's names (other drivers ignore them): seconds to connect, to wait on the socket.
    properties.setProperty("connectTimeout", Long.toString(limits.connectTimeout().toSeconds()));
    properties.setProperty("loginTimeout", Long.toString(limits.connectTimeout().toSeconds()));
    properties.setProperty("socketTimeout", Long.toString(limits.queryTimeout().toSeconds() + 10));
    properties.setProperty("readOnly", "true");
    properties.setProperty("readOnlyMode", "always");
    try (Connection connection = DriverManager.getConnection(url, properties)) {
      connection.setAutoCommit(false);
      connection.setReadOnly(true);
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        statement.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, limits.queryTimeout().toSeconds()));
        statement.setMaxRows(limits.maxRows() + 1);
        statement.setFetchSize(Math.min(limits.maxRows() + 1, 1000));
        for (int i = 0; i < bound.size(); i++) {
          statement.setObject(i + 1, key.get(bound.get(i)));
        }
        return rows(statement);
      } finally {
        connection.rollback();
      }
    }
  }

  private List<Map<String, Object>> rows(PreparedStatement statement) throws SQLException {
    List<Map<String, Object>> rows = new ArrayList<>();
    long bytes = 0;
    try (ResultSet result = statement.executeQuery()) {
      ResultSetMetaData columns = result.getMetaData();
      while (result.next()) {
        if (rows.size() == limits.maxRows()) {
          throw new IllegalStateException("SQL primer '" + name() + "': the query returned more than "
              + limits.maxRows() + " rows (kck.sql-primers.\"" + name() + "\".max-rows)");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        for (int column = 1; column <= columns.getColumnCount(); column++) {
          Object value = jsonFriendly(result.getObject(column));
          bytes += 16 + (value instanceof String text ? 2L * text.length() : 8);
          row.put(columns.getColumnLabel(column), value);
        }
        if (bytes > limits.maxBytes()) {
          throw new IllegalStateException("SQL primer '" + name() + "': the rows are larger than "
              + limits.maxBytes() + " bytes (kck.sql-primers.\"" + name() + "\".max-bytes)");
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static Object jsonFriendly(Object value) {
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
        || value instanceof Long || value instanceof BigDecimal || value instanceof Double) {
      return value;
    }
    if (value instanceof Date date) {
      return date.toLocalDate().toString();
    }
    if (value instanceof Time time) {
      return time.toLocalTime().toString();
    }
    if (value instanceof Timestamp timestamp) {
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
