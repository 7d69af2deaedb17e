package io.kck.http;

/**
 * A request the HTTP layer refuses by itself, before or instead of asking KCK (a body that is not
 * JSON of the right type, breaks a limit, a bulk request with too many keys): its message is
 * written for the client and goes out as it is.
 */
final class Refused extends RuntimeException {
  private final ErrorCode code;
  private final String key;

  Refused(ErrorCode code, String message, String key) {
    super(message, null, false, false);
    this.code = code;
    this.key = key;
  }

  ErrorCode code() {
    return code;
  }

  /** The key the request named, or null. */
  String key() {
    return key;
  }
}
