package io.kck.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;

/**
 * Turns one primer's values into JSON and back, always as the primer's declared type: stored
 * data never chooses the class it is read as. Thread-safe.
 */
public final class ValueCodec {
  private final JavaType type;
  private final ObjectReader reader;
  private final ObjectReader strictReader;
  private final ObjectWriter writer;

  public ValueCodec(ObjectMapper mapper, Type valueType) {
    this.type = mapper.getTypeFactory().constructType(valueType);
    this.reader = mapper.readerFor(type);
    this.strictReader = reader.with(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
        DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES, DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    this.writer = mapper.writerFor(type);
  }

  /** The declared type, for checking values handed to {@code put}. */
  public JavaType type() {
    return type;
  }

  /**
   * @throws UncheckedIOException if Jackson cannot write the value
   */
  public byte[] encode(Object value) {
    try {
      return writer.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write a " + value.getClass().getName() + " as JSON for " + type, e);
    }
  }

  /**
   * The value's JSON, if it takes at most {@code maxBytes}: a longer one is measured while it is
   * written, never held whole.
   *
   * @throws TooLarge with the JSON's length when it is longer
   * @throws UncheckedIOException if Jackson cannot write the value
   */
  public byte[] encode(Object value, long maxBytes) {
    BoundedJson out = new BoundedJson(maxBytes);
    try {
      writer.writeValue(out, value);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write a " + value.getClass().getName() + " as JSON for " + type, e);
    }
    if (out.length() > maxBytes) {
      throw new TooLarge(out.length());
    }
    return out.bytes();
  }

  /** A value whose JSON is longer than allowed; {@link #length()} says how long. */
  public static final class TooLarge extends RuntimeException {
    private final long length;

    TooLarge(long length) {
      super(length + " bytes as JSON", null, false, false);
      this.length = length;
    }

    public long length() {
      return length;
    }
  }

  /**
   * Whether {@code json} reads back as a complete value of the declared type: every property of
   * its constructor (a record's components) present and not null. What a delta must be before it
   * is journaled, since replay reads it back for as long as the key lives.
   *
   * @throws UncheckedIOException naming what is missing or null
   */
  public void checkComplete(byte[] json) {
    try {
      strictReader.readValue(json);
    } catch (IOException e) {
      String why = e instanceof JsonProcessingException jackson
          ? jackson.getOriginalMessage() : e.getMessage();
      throw new UncheckedIOException(type + " is incomplete: " + why, e);
    }
  }

  /**
   * The JSON as Jackson's tree, whatever type it was written as (what a migration of an older
   * value format reads).
   *
   * @throws UncheckedIOException if the bytes are not JSON
   */
  public JsonNode tree(byte[] json) {
    try {
      return reader.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read stored JSON", e);
    }
  }

  /**
   * @throws UncheckedIOException if the bytes are not a JSON value of the declared type
   */
  public Object decode(byte[] json) {
    try {
      return reader.readValue(json);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read stored JSON as " + type, e);
    }
  }
}
