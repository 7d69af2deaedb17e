package io.kck.primer;

import java.time.LocalDate;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One typed, named parameter of a primer's keys: the counterpart of a django-kck parameter with
 * its {@code from_str}. A parameter turns a key's text segment into a value ({@link #parse}) and a
 * value back into its one canonical text ({@link #format}); {@code format(parse(s))} is the
 * canonical spelling of {@code s}, so {@code sales/03} and {@code sales/3} name the same key.
 *
 * <p>Declare parameters as constants and read them from the key inside {@code compute}:
 *
 * <pre>{@code
 * static final Parameter<Integer> REGISTER = Parameter.ofInt("register");
 * static final Parameter<LocalDate> DAY = Parameter.ofDate("day");
 * ...
 * int register = key.get(REGISTER);
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe. Parsers must be pure: they run on caller threads.
 *
 * @param <T> the parsed value's type
 */
public final class Parameter<T> {
  private final String name;
  private final Class<T> type;
  private final Function<String, ? extends T> parser;
  private final Function<? super T, String> formatter;

  private Parameter(
      String name,
      Class<T> type,
      Function<String, ? extends T> parser,
      Function<? super T, String> formatter) {
    this.name = requireName(name);
    this.type = Objects.requireNonNull(type, "type");
    this.parser = Objects.requireNonNull(parser, "parser");
    this.formatter = Objects.requireNonNull(formatter, "formatter");
  }

  /**
   * A decimal {@code int} of ASCII digits {@code 0-9}, with an optional sign; {@code +7} and
   * {@code 007} parse to 7, whose canonical text is {@code 7}. Other scripts' digits (Arabic-Indic
   * {@code ١}, full-width {@code １}) are refused: Java's {@code Integer.parseInt} would read them
   * as 1, so a path rule of a proxy in front (which compares characters) could be passed by a
   * spelling it does not recognise as the same key.
   */
  public static Parameter<Integer> ofInt(String name) {
    return new Parameter<>(name, Integer.class, text -> Integer.valueOf(asciiDecimal(text)), String::valueOf);
  }

  /** A decimal {@code long} of ASCII digits {@code 0-9}, with an optional sign (see {@link #ofInt}). */
  public static Parameter<Long> ofLong(String name) {
    return new Parameter<>(name, Long.class, text -> Long.valueOf(asciiDecimal(text)), String::valueOf);
  }

  /** Any non-empty text; characters that would break the key form are escaped in the key text. */
  public static Parameter<String> ofString(String name) {
    return new Parameter<>(name, String.class, Function.identity(), Function.identity());
  }

  /** {@code true} or {@code false}, in any letter case; canonical text is lower case. */
  public static Parameter<Boolean> ofBoolean(String name) {
    return new Parameter<>(name, Boolean.class, Parameter::parseBoolean, String::valueOf);
  }

  /** An ISO-8601 calendar date, {@code 2024-03-31}. */
  public static Parameter<LocalDate> ofDate(String name) {
    return new Parameter<>(name, LocalDate.class, LocalDate::parse, LocalDate::toString);
  }

  /** A constant of {@code type}, by its exact {@link Enum#name()}. */
  public static <E extends Enum<E>> Parameter<E> ofEnum(String name, Class<E> type) {
    return new Parameter<>(name, type, text -> Enum.valueOf(type, text), Enum::name);
  }

  /**
   * A parameter with its own parser and formatter (django-kck's {@code from_str} / {@code
   * to_str}). The parser signals bad text by throwing any {@link RuntimeException}; its message
   * becomes part of the {@link io.kck.errors.InvalidParameterException}. The formatter must produce text
   * the parser accepts, and equal values must format equally, or one value would have two keys.
   */
  public static <T> Parameter<T> of(
      String name, Class<T> type, Function<String, ? extends T> parser, Function<? super T, String> formatter) {
    return new Parameter<>(name, type, parser, formatter);
  }

  /** The parameter's name, as templates ({@code {name}}) and error messages use it. */
  public String name() {
    return name;
  }

  /** The type of its values. */
  public Class<T> type() {
    return type;
  }

  /**
   * Parses a decoded key segment.
   *
   * @throws IllegalArgumentException (or any runtime exception of the parser) if the text is not
   *     a value of this parameter
   * @throws NullPointerException naming {@code text} if it is null
   */
  public T parse(String text) {
    Objects.requireNonNull(text, "text");
    T value = parser.apply(text);
    if (value == null) {
      throw new IllegalArgumentException("the parser returned null");
    }
    return value;
  }

  /** The canonical text of {@code value}, before key escaping. */
  public String format(T value) {
    return formatter.apply(Objects.requireNonNull(value, "value"));
  }

  String formatObject(Object value) {
    return format(type.cast(value));
  }

  @Override
  public String toString() {
    return name + ":" + type.getSimpleName();
  }

  /**
   * {@code text} if it is an optional {@code +} or {@code -} followed by ASCII digits only.
   *
   * @throws IllegalArgumentException naming what is not an ASCII digit
   */
  private static String asciiDecimal(String text) {
    int start = !text.isEmpty() && (text.charAt(0) == '+' || text.charAt(0) == '-') ? 1 : 0;
    if (start == text.length()) {
      throw new IllegalArgumentException("expected ASCII digits 0-9");
    }
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException("expected ASCII digits 0-9, found '" + text.substring(i, text.offsetByCodePoints(i, 1))
            + "' (U+" + String.format(Locale.ROOT, "%04X", text.codePointAt(i)) + ")");
      }
    }
    return text;
  }

  private static Boolean parseBoolean(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "true":
        return Boolean.TRUE;
      case "false":
        return Boolean.FALSE;
      default:
        throw new IllegalArgumentException("expected true or false");
    }
  }

  private static String requireName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("A parameter needs a non-blank name");
    }
    return name;
  }
}
