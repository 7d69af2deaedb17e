package io.kck.errors;

/** Reading a key's text where no registry is at hand. */
final class KeyTexts {
  private KeyTexts() {}

  /** The primer name: the text before the first {@code /}. */
  static String primerName(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }
}
