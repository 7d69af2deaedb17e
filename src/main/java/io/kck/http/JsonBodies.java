package io.kck.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Request bodies parsed as JSON, bounded: on the service's own dispatcher (never Akka's default
 * one, where a slow parse would stall actors), and with Jackson's read constraints (nesting depth,
 * digits of a number, length of a string or name) checked while the body is read, so a hostile
 * body fails within the time it takes to read it once. Values are read only as their primer's
 * declared type, with the same modules as stored values.
 */
final class JsonBodies {
  private final ObjectMapper strict;
  private final Executor parsing;

  JsonBodies(ObjectMapper values, HttpSettings.JsonLimits limits, Executor parsing) {
    // A copy of the values mapper (same modules) has a copy of its factory, whose limits are ours.
    this.strict = values.copy();
    JsonFactory factory = strict.getFactory();
    factory.setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(limits.maxDepth())
        .maxNumberLength(limits.maxNumberLength())
        .maxStringLength(limits.maxStringLength())
        .maxNameLength(limits.maxNameLength())
        .build());
    this.parsing = parsing;
  }

  /** {@code body} as a value of {@code type}; fails with {@link Refused} naming what is wrong. */
  CompletionStage<Object> value(byte[] body, Type type, String key) {
    return CompletableFuture.supplyAsync(() -> {
      ObjectReader reader = strict.readerFor(strict.getTypeFactory().constructType(type));
      try {
        checkLimits(body);
        return reader.readValue(body);
      } catch (IOException e) {
        throw refusal(e, key);
      }
    }, parsing);
  }

  /**
   * The strings of a JSON array ({@code ["a/1", "b/2"]}), read one at a time: at most {@code
   * maxKeys} distinct ones (a duplicate counts once), or the request is refused before anything
   * else is read.
   */
  CompletionStage<List<String>> keyList(byte[] body, int maxKeys) {
    return CompletableFuture.supplyAsync(() -> {
      List<String> keys = new ArrayList<>();
      Set<String> distinct = new HashSet<>();
      try {
        checkLimits(body);
      } catch (IOException e) {
        throw refusal(e, null);
      }
      try (JsonParser parser = strict.getFactory().createParser(body)) {
        if (parser.nextToken() != JsonToken.START_ARRAY) {
          throw new Refused(ErrorCode.BAD_REQUEST, "A bulk get takes a JSON array of key texts", null);
        }
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
          if (token != JsonToken.VALUE_STRING) {
            throw new Refused(ErrorCode.BAD_REQUEST, "A bulk get takes a JSON array of key texts; element "
                + (keys.size() + 1) + " is not a string", null);
          }
          String key = parser.getText();
          if (distinct.add(key) && distinct.size() > maxKeys) {
            throw new Refused(ErrorCode.BAD_REQUEST, "A bulk get takes at most " + maxKeys
                + " distinct keys", null);
          }
          keys.add(key);
        }
        if (parser.nextToken() != null) {
          throw new Refused(ErrorCode.BAD_JSON, "The body has more after its JSON array", null);
        }
        return keys;
      } catch (IOException e) {
        throw refusal(e, null);
      }
    }, parsing);
  }

  /**
   * Reads every token of {@code body} once, so that the limits hold whatever the value type: a
   * binding may stop at the first token that does not fit the type, or (for a map or a JSON tree)
   * read everything.
   */
  private void checkLimits(byte[] body) throws IOException {
    try (JsonParser parser = strict.getFactory().createParser(body)) {
      while (parser.nextToken() != null) {
        if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT || parser.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
          parser.getNumberValue(); // the length check happens when the number is read
        }
      }
    }
  }

  /** What a client may know about a body that did not read: no class names, no Jackson internals. */
  private static Refused refusal(IOException e, String key) {
    if (e instanceof StreamConstraintsException) {
      // Jackson's text names the limit's getter, e.g. "(64, from `StreamReadConstraints.getMaxNestingDepth()`)":
      // the figure is for the client, the class and its method are not.
      String first = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      return new Refused(ErrorCode.BAD_JSON, "The JSON body breaks a limit: "
          + first.replaceAll(",\\s*from `[^`]*`", "").replaceAll("\\s*\\(from `[^`]*`\\)", ""), key);
    }
    String at = where(e instanceof JsonProcessingException processing ? processing.getLocation() : null);
    if (e instanceof JsonParseException || !(e instanceof JsonMappingException)) {
      return new Refused(ErrorCode.BAD_JSON, "The body is not valid JSON" + at, key);
    }
    JsonMappingException mapping = (JsonMappingException) e;
    return new Refused(ErrorCode.INVALID_VALUE, "The JSON is not a value of this primer's type" + path(mapping) + at, key);
  }

  private static String where(JsonLocation location) {
    return location == null || location.getLineNr() < 0 ? ""
        : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference reference : e.getPath()) {
      if (reference.getFieldName() != null) {
        path.append('.').append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        path.append('[').append(reference.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "" : " at $" + Problems.bounded(path.toString());
  }
}
