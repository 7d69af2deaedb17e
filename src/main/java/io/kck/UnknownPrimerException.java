package io.kck;

/** The key names a primer that is not registered on this node. */
public final class UnknownPrimerException extends InvalidKeyException {
  private final String primerName;

  public UnknownPrimerException(String key, String primerName) {
    super(key, "Invalid key '" + key + "': no primer named '" + primerName + "' is registered");
    this.primerName = primerName;
  }

  public String primerName() {
    return primerName;
  }
}
