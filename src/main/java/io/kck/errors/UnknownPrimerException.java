package io.kck.errors;

/** The key names a primer that is not registered on this node. */
public final class UnknownPrimerException extends InvalidKeyException {
  /** The primer name the key gave. */
  private final String primerName;

  /** The exception for {@code key}, whose primer name {@code primerName} is not registered. */
  public UnknownPrimerException(String key, String primerName) {
    this(key, primerName, "Invalid key '" + key + "': no primer named '" + primerName + "' is registered");
  }

  /**
   * The exception for {@code key}, whose primer is named like a registered one, {@code
   * primerName}, but is another object: KCK runs keys of the primer objects it was started with
   * only (another object may compute otherwise).
   */
  public static UnknownPrimerException notTheRegistered(String key, String primerName) {
    return new UnknownPrimerException(key, primerName, "Invalid key '" + key + "': its primer is not the one registered"
        + " under the name '" + primerName + "' (another object of that name; use the registered primer, or kck.key(text))");
  }

  /** The exception for {@code key}; {@code message} names the key and what went wrong. */
  UnknownPrimerException(String key, String primerName, String message) {
    super(Kind.UNKNOWN_PRIMER, key, message, null);
    this.primerName = primerName;
  }

  /** The primer name the key gave. */
  public String primerName() {
    return primerName;
  }
}
