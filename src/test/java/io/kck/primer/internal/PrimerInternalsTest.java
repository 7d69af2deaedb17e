package io.kck.primer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.errors.UnknownPrimerException;
import io.kck.primer.Augment;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The engine's way into io.kck.primer's package-private members works (a renamed member fails
 * here), and those members stay off the API.
 */
class PrimerInternalsTest {
  static final Parameter<Integer> REGISTER = Parameter.ofInt("register");

  final Primer<Long> sales = Primer.builder("sales", Long.class).parameters(REGISTER)
      .compute((key, context) -> 0L)
      .augment(Augment.<Long, Long>of(Long.class, Long::sum)
          .validatedBy(delta -> {
            if (delta < 0) {
              throw new IllegalArgumentException("a sale is not negative");
            }
          })
          .fromUpstream((self, input, inputDelta) -> Optional.of((Long) inputDelta * 2)))
      .build();

  @Test
  void aKeyRemembersItsSlot() {
    Key<Long> key = sales.key(1);
    assertNull(KeySlots.of(key));
    Object slot = new Object();
    KeySlots.remember(key, slot);
    assertSame(slot, KeySlots.of(key));
    assertEquals(sales.key(1), key, "the slot is invisible to equals");
  }

  @Test
  void theEngineAppliesChecksAndTranslatesDeltas() {
    Augment<?, ?> augment = sales.augment().orElseThrow();
    assertEquals(5L, Augments.apply(augment, 2L, 3L));
    Augments.check(augment, 3L);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Augments.check(augment, -1L));
    assertEquals("a sale is not negative", refused.getMessage(), "the primer's own exception, unwrapped");
    assertEquals(Optional.of(6L), Augments.deltaFor(augment, sales.key(1), sales.key(2), 3L));
    assertEquals(Optional.empty(), Augments.deltaFor(Augment.of(Long.class, Long::sum), sales.key(1), sales.key(2), 3L));
  }

  @Test
  void theRegistryParsesKeysOfItsPrimers() {
    PrimerRegistry registry = PrimerRegistry.of(List.of(sales));
    assertEquals(sales.key(7), registry.parse("sales/7"));
    assertThrows(UnknownPrimerException.class, () -> registry.parse("other/7"));
    assertThrows(UnknownPrimerException.class, () -> registry.parse("other"));
  }

  @Test
  void theEngineHooksAreNoApi() {
    assertEquals(Set.of("deltaType", "fromUpstream", "of", "validatedBy"), publicMethods(Augment.class));
    assertTrue(publicMethods(Freshness.class).stream().noneMatch(name -> name.equals("fromConfig")));
    for (String moved : List.of("io.kck.primer.KeySlots", "io.kck.primer.PrimerRegistry")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(moved), moved + " is no API");
    }
    assertTrue(Arrays.stream(Key.class.getFields()).noneMatch(field -> field.getName().equals("tierSlot")));
  }

  private static Set<String> publicMethods(Class<?> type) {
    return Arrays.stream(type.getDeclaredMethods())
        .filter(method -> Modifier.isPublic(method.getModifiers()) && !method.isSynthetic())
        .map(Method::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
