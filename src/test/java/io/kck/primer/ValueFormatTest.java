package io.kck.primer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.IntNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A primer's value format and migrations, as the builder checks them. */
@Tag("unit")
class ValueFormatTest {

  @Test
  void aPrimerIsOfFormatOneWithoutMigrationsUnlessItSaysSo() throws Exception {
    Primer<Integer> plain = Primer.builder("format-plain", Integer.class).compute((key, context) -> 1).build();
    assertEquals(1, plain.valueFormat());
    assertTrue(plain.migrationFrom(1).isEmpty());

    Primer<Integer> raised = Primer.builder("format-raised", Integer.class).compute((key, context) -> 1)
        .valueFormat(3)
        .migrateFrom(1, stored -> stored.asInt() * 100)
        .build();
    assertEquals(3, raised.valueFormat());
    assertEquals(4200, raised.migrationFrom(1).orElseThrow().migrate(IntNode.valueOf(42)));
    assertTrue(raised.migrationFrom(2).isEmpty(), "format 2 has none: its values are dropped and recomputed");
  }

  @Test
  void aFormatBelowOneOrAMigrationFromNoOlderFormatIsRefused() {
    PrimerBuilder<Integer> builder = Primer.builder("format-bad", Integer.class).compute((key, context) -> 1);
    assertEquals("Primer 'format-bad' needs a value format of 1 or more, got 0",
        assertThrows(IllegalArgumentException.class, () -> builder.valueFormat(0)).getMessage());
    builder.valueFormat(2).migrateFrom(2, stored -> 1);
    assertEquals("Primer 'format-bad' migrates values from format 2, but only formats 1 to 1 are older than its value"
        + " format 2", assertThrows(IllegalArgumentException.class, builder::build).getMessage());
    assertThrows(NullPointerException.class, () -> builder.migrateFrom(1, null));
  }
}
