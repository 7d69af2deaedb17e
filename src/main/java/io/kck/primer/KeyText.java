package io.kck.primer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The text form of keys: {@code name/segment/segment...}. Inside a segment, every character
 * outside {@code A-Z a-z 0-9 - . _ ~ : @ , + =} is percent-encoded as UTF-8 ({@code /} becomes
 * {@code %2F}, a space {@code %20}), as are segments that are exactly {@code .} or {@code ..};
 * so a key is also a valid, unambiguous URL path. Decoding accepts upper and lower case hex and
 * any unescaped character that is not {@code /} or {@code %}; encoding always writes the one
 * canonical form.
 */
final class KeyText {
  static final char SEPARATOR = '/';

  /**
   * Longest canonical key. The journal's persistence_id column holds 255 characters, and the
   * entity's persistence id prefixes the key with the entity type name.
   */
  static final int MAX_LENGTH = 240;

  private KeyText() {}

  /** Splits on {@code /}, keeping empty segments so that they can be reported. */
  static List<String> split(String text) {
    List<String> segments = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == SEPARATOR) {
        segments.add(text.substring(start, i));
        start = i + 1;
      }
    }
    segments.add(text.substring(start));
    return segments;
  }

  static String encode(String segment) {
    if (segment.equals(".") || segment.equals("..")) {
      return segment.replace(".", "%2E");
    }
    if (isPlain(segment)) {
      return segment;
    }
    StringBuilder out = new StringBuilder(segment.length() + 8);
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (c < 0x80 && isPlain((char) c)) {
        out.append((char) c);
      } else {
        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return out.toString();
  }

  /**
   * @throws IllegalArgumentException if an escape is malformed or the bytes are not UTF-8
   */
  static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    int i = 0;
    while (i < segment.length()) {
      int escape = segment.indexOf('%', i);
      if (escape < 0) {
        escape = segment.length();
      }
      bytes.writeBytes(segment.substring(i, escape).getBytes(StandardCharsets.UTF_8));
      if (escape == segment.length()) {
        break;
      }
      if (escape + 2 >= segment.length()) {
        throw new IllegalArgumentException("incomplete escape '" + segment.substring(escape) + "'");
      }
      int high = Character.digit(segment.charAt(escape + 1), 16);
      int low = Character.digit(segment.charAt(escape + 2), 16);
      if (high < 0 || low < 0) {
        throw new IllegalArgumentException(
            "bad escape '" + segment.substring(escape, escape + 3) + "'");
      }
      bytes.write(high << 4 | low);
      i = escape + 3;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("escapes are not valid UTF-8");
    }
  }

  private static boolean isPlain(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      if (!isPlain(segment.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPlain(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-._~:@,+=".indexOf(c) >= 0;
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
}
