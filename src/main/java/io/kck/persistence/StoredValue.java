package io.kck.persistence;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Objects;

/**
 * A value in two forms: the object callers receive and its JSON bytes, each made from the other
 * on first need. A value computed on this node travels to local callers as the object itself (no
 * copy, no decoding on the hit path); it is encoded only when it is journaled or crosses the
 * network, and a value read from the journal or the network is decoded only when somebody reads
 * it. Thread-safe; both conversions happen at most once.
 *
 * <p>Jackson writes it as its JSON bytes, so events, snapshots and replies that carry it name no
 * value class.
 */
@JsonAutoDetect(
    fieldVisibility = JsonAutoDetect.Visibility.NONE,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE,
    setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class StoredValue {
  private final ValueCodec codec;
  private volatile Object value;
  private volatile byte[] json;

  private StoredValue(ValueCodec codec, Object value, byte[] json) {
    this.codec = codec;
    this.value = value;
    this.json = json;
  }

  /** A value whose JSON is written when first needed, by {@code codec}. */
  public static StoredValue of(Object value, ValueCodec codec) {
    return new StoredValue(Objects.requireNonNull(codec), Objects.requireNonNull(value), null);
  }

  /** A value already encoded (on a compute thread, off the actor). */
  public static StoredValue encoded(Object value, byte[] json) {
    return new StoredValue(null, Objects.requireNonNull(value), Objects.requireNonNull(json));
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static StoredValue fromJson(byte[] json) {
    return new StoredValue(null, null, Objects.requireNonNull(json));
  }

  /** The JSON bytes; encodes the object on first call. Callers must not modify the array. */
  @JsonValue
  public byte[] json() {
    byte[] known = json;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (json == null) {
        json = codec.encode(value);
      }
      return json;
    }
  }

  /**
   * The length of the JSON bytes when they are known, else -1: never encodes (a value made by an
   * augment function is only encoded if something needs its JSON, which may cost more than the
   * augment itself).
   */
  public int encodedLength() {
    byte[] known = json;
    return known == null ? -1 : known.length;
  }

  /** The object; decodes the JSON with {@code decoder} on first call. */
  public Object value(ValueCodec decoder) {
    Object known = value;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (value == null) {
        value = decoder.decode(json);
      }
      return value;
    }
  }

  /** Whether two values are the same data: equal objects, or equal JSON. */
  public boolean sameAs(StoredValue other) {
    if (other == null) {
      return false;
    }
    Object mine = value;
    Object theirs = other.value;
    if (mine != null && mine.equals(theirs)) {
      return true;
    }
    return Arrays.equals(json(), other.json());
  }

  /** Equal when their JSON is equal (encoding the object first if needed). */
  @Override
  public boolean equals(Object other) {
    return other instanceof StoredValue stored && Arrays.equals(json(), stored.json());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(json());
  }

  @Override
  public String toString() {
    byte[] known = json;
    return known != null ? "StoredValue(" + known.length + " bytes of JSON)" : "StoredValue(not yet encoded)";
  }
}
