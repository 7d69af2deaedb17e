package io.kck.primer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kck.errors.InvalidKeyException;
import io.kck.errors.InvalidParameterException;
import io.kck.errors.UnknownPrimerException;
import io.kck.errors.WrongParameterCountException;
import io.kck.primer.internal.PrimerRegistry;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Keys: one canonical text per key, whichever way it is built, and clear errors. */
@Tag("unit")
class KeyTest {
  enum Channel { STORE, ONLINE }

  record Money(long cents) {
    static Money parse(String text) {
      if (!text.matches("\\d+\\.\\d\\d")) {
        throw new IllegalArgumentException("expected units.cents like 12.50");
      }
      return new Money(Long.parseLong(text.replace(".", "")));
    }

    String format() {
      return String.format("%d.%02d", cents / 100, cents % 100);
    }
  }

  static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
  static final Parameter<Long> STORE = Parameter.ofLong("store");
  static final Parameter<String> NAME = Parameter.ofString("name");
  static final Parameter<Boolean> FINAL = Parameter.ofBoolean("final");
  static final Parameter<LocalDate> DAY = Parameter.ofDate("day");
  static final Parameter<Channel> CHANNEL = Parameter.ofEnum("channel", Channel.class);
  static final Parameter<Money> LIMIT = Parameter.of("limit", Money.class, Money::parse, Money::format);

  static final class Everything extends Primer<String> {
    Everything() {
      super("everything", String.class, REGISTER, STORE, NAME, FINAL, DAY, CHANNEL, LIMIT);
    }

    @Override
    public String compute(Key<String> key, ComputeContext<String> context) {
      return key.text();
    }
  }

  static final class NoParameters extends Primer<String> {
    NoParameters() {
      super("league-table", String.class);
    }

    @Override
    public String compute(Key<String> key, ComputeContext<String> context) {
      return "";
    }
  }

  final Everything everything = new Everything();
  final PrimerRegistry registry = PrimerRegistry.of(List.of(everything, new NoParameters()));

  @Test
  void typedAndTextFormsBuildTheSameCanonicalKey() {
    Key<String> typed =
        everything.key(7, 12L, "north", true, LocalDate.of(2026, 11, 2), Channel.ONLINE, new Money(1250));
    Key<?> parsed = registry.parse("everything/007/+12/north/TRUE/2026-11-02/ONLINE/12.50");

    assertEquals("everything/7/12/north/true/2026-11-02/ONLINE/12.50", typed.text());
    assertEquals(typed, parsed);
    assertEquals(typed.text(), parsed.text());
    assertEquals(typed.hashCode(), parsed.hashCode());
    assertEquals(7, parsed.get(REGISTER));
    assertEquals(LocalDate.of(2026, 11, 2), parsed.get(DAY));
    assertEquals(Channel.ONLINE, parsed.get(CHANNEL));
    assertEquals(new Money(1250), parsed.get(LIMIT));
  }

  @Test
  void charactersThatWouldBreakTheFormAreEscapedAndRoundTrip() {
    for (String name : List.of("a/b", "50% off", "café", "..", ".", "x y?#&", "tab\there", "~:@,+=-._")) {
      Key<String> key = everything.key(1, 2L, name, false, LocalDate.of(2026, 1, 1), Channel.STORE, new Money(1));
      String segment = key.text().split("/")[3];
      assertTrue(segment.matches("[A-Za-z0-9\\-._~:@,+=%]+"), segment);
      assertEquals(name, registry.parse(key.text()).get(NAME), "round trip of " + name);
      assertEquals(key, registry.parse(key.text()));
    }
    assertEquals("a%2Fb", everything.key(1, 2L, "a/b", false, LocalDate.of(2026, 1, 1), Channel.STORE, new Money(1))
        .text().split("/")[3]);
    // Lower-case escapes are accepted and canonicalised to upper case.
    Key<?> lower = registry.parse("everything/1/2/caf%c3%a9/false/2026-01-01/STORE/0.01");
    assertEquals("café", lower.get(NAME));
    assertTrue(lower.text().contains("caf%C3%A9"), lower.text());
  }

  @Test
  void aPrimerWithoutParametersHasItsNameAsKey() {
    assertEquals("league-table", registry.parse("league-table").text());
  }

  @Test
  void badKeysFailWithTheKeyAndWhatWasWrong() {
    UnknownPrimerException unknown = assertThrows(UnknownPrimerException.class, () -> registry.parse("nope/1"));
    assertEquals("nope/1", unknown.key());
    assertTrue(unknown.getMessage().contains("'nope'"), unknown.getMessage());

    WrongParameterCountException count =
        assertThrows(WrongParameterCountException.class, () -> registry.parse("everything/1/2"));
    assertTrue(count.getMessage().contains("everything/1/2") && count.getMessage().contains("takes 7"),
        count.getMessage());

    InvalidParameterException notInt = assertThrows(InvalidParameterException.class,
        () -> registry.parse("everything/seven/2/n/true/2026-01-01/STORE/1.00"));
    assertEquals("register", notInt.parameter());
    assertTrue(notInt.getMessage().contains("'register'") && notInt.getMessage().contains("seven"),
        notInt.getMessage());

    InvalidParameterException badDate = assertThrows(InvalidParameterException.class,
        () -> registry.parse("everything/1/2/n/true/2026-02-30/STORE/1.00"));
    assertEquals("day", badDate.parameter());

    InvalidParameterException badEnum = assertThrows(InvalidParameterException.class,
        () -> registry.parse("everything/1/2/n/true/2026-02-01/PHONE/1.00"));
    assertEquals("channel", badEnum.parameter());

    InvalidParameterException custom = assertThrows(InvalidParameterException.class,
        () -> registry.parse("everything/1/2/n/true/2026-02-01/STORE/12"));
    assertTrue(custom.getMessage().contains("expected units.cents"), custom.getMessage());

    InvalidParameterException empty = assertThrows(InvalidParameterException.class,
        () -> registry.parse("everything/1/2//true/2026-02-01/STORE/1.00"));
    assertEquals("name", empty.parameter());

    InvalidParameterException badEscape = assertThrows(InvalidParameterException.class,
        () -> registry.parse("everything/1/2/a%2/true/2026-02-01/STORE/1.00"));
    assertEquals("name", badEscape.parameter());

    assertThrows(InvalidKeyException.class, () -> registry.parse(""));
    assertThrows(InvalidKeyException.class, () -> registry.parse(null));
    assertThrows(InvalidKeyException.class, () -> registry.parse("everything/" + "1/".repeat(200)));
  }

  /**
   * Java reads other scripts' digits as numbers ({@code Integer.parseInt("١")} is 1): a key of
   * them would be the same key as its ASCII spelling to KCK, and another path to a proxy.
   */
  @Test
  void numbersTakeAsciiDigitsOnly() {
    for (String one : List.of("\u0661", "\uFF11", "%D9%A1", "%EF%BC%91", "+\uFF11", "-")) {
      InvalidParameterException register = assertThrows(InvalidParameterException.class,
          () -> registry.parse("everything/" + one + "/2/n/true/2026-01-01/STORE/1.00"), one);
      assertEquals("register", register.parameter());
      assertTrue(register.getMessage().contains("ASCII digits"), register.getMessage());
      InvalidParameterException store = assertThrows(InvalidParameterException.class,
          () -> registry.parse("everything/1/" + one + "/n/true/2026-01-01/STORE/1.00"), one);
      assertEquals("store", store.parameter());
    }
    assertEquals("everything/-7/12/n/true/2026-01-01/STORE/1.00",
        registry.parse("everything/-07/+12/n/true/2026-01-01/STORE/1.00").text());
    assertThrows(IllegalArgumentException.class, () -> REGISTER.parse("\u0661"));
  }

  /** The corpus KeyAgreementTest asks over HTTP: the Java API's answers. */
  @Test
  void theSharedCorpusParsesToItsCanonicalKeysAndRefusesItsBadTexts() {
    PrimerRegistry corpus = PrimerRegistry.of(KeyCorpus.primers());
    for (List<String> good : KeyCorpus.GOOD) {
      assertEquals(good.get(1), corpus.parse(good.get(0)).text(), good.get(0));
    }
    for (String bad : KeyCorpus.BAD) {
      assertThrows(InvalidKeyException.class, () -> corpus.parse(bad), bad);
    }
  }

  @Test
  void typedConstructionChecksCountAndTypes() {
    assertThrows(WrongParameterCountException.class, () -> everything.key(1, 2L));
    InvalidParameterException wrongType = assertThrows(InvalidParameterException.class,
        () -> everything.key("7", 2L, "n", true, LocalDate.of(2026, 1, 1), Channel.STORE, new Money(1)));
    assertEquals("register", wrongType.parameter());
    assertThrows(InvalidParameterException.class,
        () -> everything.key(7, 2L, null, true, LocalDate.of(2026, 1, 1), Channel.STORE, new Money(1)));
    assertThrows(InvalidParameterException.class,
        () -> everything.key(7, 2L, "", true, LocalDate.of(2026, 1, 1), Channel.STORE, new Money(1)));
  }

  @Test
  void primerDefinitionsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> PrimerRegistry.of(List.of(new NoParameters(), new NoParameters())));
    assertThrows(IllegalArgumentException.class, () -> new Primer<String>("1bad", String.class) {
      @Override
      public String compute(Key<String> key, ComputeContext<String> context) {
        return "";
      }
    });
  }
}
