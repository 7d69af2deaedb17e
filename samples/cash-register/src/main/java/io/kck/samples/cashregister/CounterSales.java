package io.kck.samples.cashregister;

import com.typesafe.config.Config;
import io.kck.KckDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The sales rung up at the registers today, written by the tills straight into a PostgreSQL table
 * ({@code counter_sales}) with plain SQL: KCK is not told. {@link RegisterSales} follows the table
 * as a source, so a new row reaches the register's day, its store and the league table on its own.
 */
public final class CounterSales {
  private final Config config;

  /** In KCK's own database, as {@code config} (the ActorSystem's) says. */
  public CounterSales(Config config) {
    this.config = config;
  }

  private Connection connect() throws SQLException {
    return KckDatabase.connect(config);
  }

  /** Creates the table when it is missing; a source table sends whole old rows (REPLICA IDENTITY FULL). */
  public void create() throws SQLException {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS counter_sales (id serial PRIMARY KEY, register int NOT NULL,"
          + " day date NOT NULL, sold_at time NOT NULL, item text NOT NULL, cents bigint NOT NULL)");
      statement.execute("ALTER TABLE counter_sales REPLICA IDENTITY FULL");
    }
  }

  /** The rows of one register and day, in the order they were rung up. */
  public List<Sale> of(int register, LocalDate day) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT sold_at, item, cents FROM counter_sales WHERE register = ? AND day = ? ORDER BY id")) {
      query.setInt(1, register);
      query.setObject(2, day);
      List<Sale> sales = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          sales.add(new Sale(rows.getObject(1, LocalTime.class), rows.getString(2), rows.getLong(3)));
        }
      }
      return sales;
    }
  }

  /** A till rings up a sale: one INSERT, committed; nothing tells KCK. */
  public void ringUp(int register, LocalDate day, Sale sale) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO counter_sales (register, day, sold_at, item, cents) VALUES (?, ?, ?, ?, ?)")) {
      insert.setInt(1, register);
      insert.setObject(2, day);
      insert.setObject(3, sale.at());
      insert.setString(4, sale.item());
      insert.setLong(5, sale.cents());
      insert.executeUpdate();
    }
  }
}
