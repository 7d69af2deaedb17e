package io.kck.primer;

import java.time.LocalDate;
import java.util.List;

/**
 * Key texts and the primers they name, shared by KeyTest (the Java API) and KeyAgreementTest (the
 * same texts over HTTP): texts that are keys, with their canonical form, and texts that are not,
 * each refused for its own reason.
 */
public final class KeyCorpus {
  public enum Channel { STORE, ONLINE }

  public static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
  public static final Parameter<Long> STORE = Parameter.ofLong("store");
  public static final Parameter<String> NAME = Parameter.ofString("name");
  public static final Parameter<Boolean> FINAL = Parameter.ofBoolean("final");
  public static final Parameter<LocalDate> DAY = Parameter.ofDate("day");
  public static final Parameter<Channel> CHANNEL = Parameter.ofEnum("channel", Channel.class);
  public static final Parameter<Long> CENTS = Parameter.of("limit", Long.class, text -> {
    if (!text.matches("\\d+\\.\\d\\d")) {
      throw new IllegalArgumentException("expected units.cents like 12.50");
    }
    return Long.parseLong(text.replace(".", ""));
  }, cents -> String.format("%d.%02d", cents / 100, cents % 100));

  private KeyCorpus() {}

  /** Fresh primers (a primer belongs to one registry): "everything" and "league-table". */
  public static List<Primer<?>> primers() {
    return List.of(
        Primer.builder("everything", String.class).parameters(REGISTER, STORE, NAME, FINAL, DAY, CHANNEL, CENTS)
            .compute((key, context) -> key.text()).build(),
        Primer.builder("league-table", String.class).compute((key, context) -> "").build());
  }

  /** Texts that are keys, each with its canonical text. */
  public static final List<List<String>> GOOD = List.of(
      List.of("everything/007/+12/north/TRUE/2026-11-02/ONLINE/12.50", "everything/7/12/north/true/2026-11-02/ONLINE/12.50"),
      List.of("everything/1/2/caf%c3%a9/false/2026-01-01/STORE/0.01", "everything/1/2/caf%C3%A9/false/2026-01-01/STORE/0.01"),
      List.of("everything/1/2/a%2Fb/false/2026-01-01/STORE/0.01", "everything/1/2/a%2Fb/false/2026-01-01/STORE/0.01"),
      List.of("everything/1/2/50%25%20off/false/2026-01-01/STORE/0.01", "everything/1/2/50%25%20off/false/2026-01-01/STORE/0.01"),
      List.of("everything/1/2/~:@,+=-._/false/2026-01-01/STORE/0.01", "everything/1/2/~:@,+=-._/false/2026-01-01/STORE/0.01"),
      List.of("league-table", "league-table"));

  /** Texts that are not keys (all valid in a URL path, so HTTP can be asked them as they are). */
  public static final List<String> BAD = List.of(
      "nope/1",                                              // no such primer
      "everything/1/2",                                      // too few parameters
      "everything/seven/2/n/true/2026-01-01/STORE/1.00",     // not an int
      "everything/%D9%A1/2/n/true/2026-01-01/STORE/1.00",    // an Arabic-Indic one: a digit, not an ASCII one
      "everything/%EF%BC%91/2/n/true/2026-01-01/STORE/1.00", // a full-width one
      "everything/1/%D9%A1%D9%A2/n/true/2026-01-01/STORE/1.00", // the same in a long
      "everything/1/2/n/true/%D9%A2026-01-01/STORE/1.00",    // nor in a date
      "everything/1/2/n/true/2026-02-30/STORE/1.00",         // no such day
      "everything/1/2/n/true/2026-02-01/PHONE/1.00",         // no such enum constant
      "everything/1/2/n/true/2026-02-01/STORE/12",           // the custom parser refuses
      "everything/1/2//true/2026-02-01/STORE/1.00",          // empty segment
      "everything/1/2/a%2/true/2026-02-01/STORE/1.00",       // a bad percent-escape
      "everything/1/2/%C3%28/true/2026-02-01/STORE/1.00",    // an escape that is not UTF-8
      "everything/1/2/%FF/true/2026-02-01/STORE/1.00",       // a byte that is never UTF-8
      "",                                                    // nothing
      "everything/" + "1/".repeat(200),                      // longer than a key may be
      "league-table/extra");                                 // a parameter too many
}
