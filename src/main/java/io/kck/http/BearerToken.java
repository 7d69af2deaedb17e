package io.kck.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * A configured bearer token, checked against an {@code Authorization} header: the scheme in any
 * case (RFC 9110 says schemes are case-insensitive), the token compared in constant time. Both
 * sides are hashed first, so neither the comparison nor its length tells an attacker how much of a
 * guess was right.
 */
final class BearerToken {
  private static final BearerToken NONE = new BearerToken(null);
  private final byte[] digest;

  private BearerToken(byte[] digest) {
    this.digest = digest;
  }

  static BearerToken of(String token) {
    return token == null || token.isEmpty() ? NONE : new BearerToken(sha256(token));
  }

  boolean isEmpty() {
    return digest == null;
  }

  /** Whether {@code authorization} (the header's value, if any) carries this token. */
  boolean matches(Optional<String> authorization) {
    if (digest == null || authorization.isEmpty()) {
      return false;
    }
    String value = authorization.get().trim();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
      return false;
    }
    return MessageDigest.isEqual(digest, sha256(value.substring(space + 1).trim()));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return digest == null ? "(none)" : "(set)";
  }
}
