package io.kck.http;

import io.kck.Entry;
import io.kck.Kck;
import io.kck.KeyInfo;
import io.kck.primer.Key;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * {@code PUT} with {@code If-Match}: the value is put only while the key is still at a version the
 * header names ({@code *}: any value), else 412 {@code VERSION_CONFLICT} and nothing is written.
 * The put carries the version it expects to the key ({@link Kck#put(Key, Object, long)}), which
 * checks it as it takes the put: of two puts naming one version, through any node or the Java API,
 * exactly one wins. A header that names one version is that version; for {@code *} or a list, the
 * key's version is read first ({@code KckAdmin.inspect}, which never computes) and, if the header
 * names it, expected: a write that reaches the key between the read and the put makes it 412.
 *
 * <p>Thread-safe (stateless).
 */
final class ConditionalPuts {
  private final Kck kck;

  ConditionalPuts(Kck kck) {
    this.kck = kck;
  }

  CompletionStage<Entry<Object>> put(Key<Object> key, String ifMatch, Object value) {
    OptionalLong named = oneVersion(ifMatch);
    if (named.isPresent()) {
      return kck.put(key, value, named.getAsLong());
    }
    return kck.admin().inspect(key).thenCompose(info -> {
      boolean hasValue = info.state() == KeyInfo.State.READY;
      if (!hasValue || !EntryJson.matches(ifMatch, info.version())) {
        throw new Refused(ErrorCode.VERSION_CONFLICT, hasValue
            ? "The key is at version " + info.version() + ", not one named in If-Match; nothing was written"
            : "The key has no value, so If-Match names no version of it; nothing was written", key.text());
      }
      return kck.put(key, value, info.version());
    });
  }

  /**
   * The version {@code ifMatch} names when it is one ETag of a version a value can have (as {@link
   * EntryJson#matches} reads it, weak or strong); empty for {@code *}, a list, or anything else.
   */
  private static OptionalLong oneVersion(String ifMatch) {
    String tag = ifMatch.trim();
    if (tag.startsWith("W/")) {
      tag = tag.substring(2);
    }
    if (tag.length() < 3 || tag.charAt(0) != '"' || tag.charAt(tag.length() - 1) != '"') {
      return OptionalLong.empty();
    }
    try {
      long version = Long.parseLong(tag.substring(1, tag.length() - 1));
      return version >= 1 && EntryJson.etag(version).equals(tag) ? OptionalLong.of(version) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
