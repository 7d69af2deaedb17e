package io.kck.entity;

/** Reading a canonical key's text without a registry. */
final class KeyNames {
  private KeyNames() {}

  /** The primer name: the text before the first {@code /}. */
  static String primerName(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }
}
