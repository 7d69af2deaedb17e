package io.kck.entity.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Which failures the start waits out, and which it reports at once. */
@Tag("unit")
class DatabaseWaitTest {
  @Test
  void aServerThatIsNotThereYetIsWaitedForAWrongPasswordIsNot() {
    assertTrue(DatabaseWait.notYetReachable(new SQLTransientConnectionException("db - Connection is not available")));
    assertTrue(DatabaseWait.notYetReachable(new RuntimeException(new SQLException("refused", "08001"))));
    assertTrue(DatabaseWait.notYetReachable(new SQLException("the database system is starting up", "57P03")));
    assertFalse(DatabaseWait.notYetReachable(new SQLException("password authentication failed", "28P01")));
    assertFalse(DatabaseWait.notYetReachable(new SQLException("database \"kck\" does not exist", "3D000")));
  }

  @Test
  void aFailureWaitingCannotCureFailsAtOnceWithoutAWait() {
    List<String> statuses = new ArrayList<>();
    SQLException wrongPassword = new SQLException("password authentication failed", "28P01");
    SQLException thrown = assertThrows(SQLException.class, () -> new DatabaseWait(Duration.ofMinutes(1), statuses::add)
        .until("test", () -> {
          throw wrongPassword;
        }));
    assertSame(wrongPassword, thrown);
    assertEquals(List.of(), statuses, "no wait, no not-ready status");
  }

  @Test
  void durationsReadAsInHocon() {
    assertEquals("60s", DatabaseWait.text(Duration.ofMinutes(1)));
    assertEquals("1500ms", DatabaseWait.text(Duration.ofMillis(1500)));
  }
}
