package io.kck.http;

import akka.http.javadsl.model.HttpRequest;

/**
 * The key text of a request exactly as the client sent it, taken from the raw request target
 * (Akka's {@code Raw-Request-URI} header, switched on for this service). Akka's parsed URI decodes
 * percent-escapes as UTF-8 and replaces invalid sequences ({@code %C3%28} becomes {@code U+FFFD(})
 * before encoding them again, which would turn a text the Java API refuses into another, valid,
 * key. Handing {@code Kck.key} the raw text makes HTTP and the Java API agree on every text: the
 * same key or the same error.
 */
final class RawKeys {
  private RawKeys() {}

  /** The text after {@code /api/<endpoint>/} in the request's target, without query or fragment. */
  static String after(HttpRequest request, String endpoint) {
    String target = request.getHeader("Raw-Request-URI").map(header -> header.value())
        .orElseGet(() -> request.getUri().toRelative().toString());
    int scheme = target.indexOf("://");
    if (scheme >= 0 && scheme < target.indexOf('/')) { // absolute-form: http://host/api/...
      int path = target.indexOf('/', scheme + 3);
      target = path < 0 ? "/" : target.substring(path);
    }
    int end = target.length();
    for (char stop : new char[] {'?', '#'}) {
      int at = target.indexOf(stop);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    String path = target.substring(0, end);
    String prefix = "/api/" + endpoint + "/";
    return path.startsWith(prefix) ? path.substring(prefix.length()) : "";
  }
}
