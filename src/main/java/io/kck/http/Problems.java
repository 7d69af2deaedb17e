package io.kck.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kck.errors.KckException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error the service answers, as the documented JSON {@code {"code", "message", "key", "id"}}.
 *
 * <p>Errors say what, not how: a server-side failure (5xx: a compute that threw, a timeout, an
 * unreachable key) answers its code, the key and a correlation id, and its exception, whose text
 * may name hosts, users, SQL or files, goes to this class's log under that id ({@code
 * kck.http.expose-errors = on} sends the text too). A client's own mistake (4xx) is explained, but
 * a key is echoed only up to {@link #KEY_ECHO} characters and a message only up to {@link
 * #MESSAGE_MAX}: a request never makes a response much larger than a small error.
 */
final class Problems {
  static final int KEY_ECHO = 80;
  static final int MESSAGE_MAX = 400;
  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  private static final ObjectMapper json = new ObjectMapper();
  private static final SecureRandom random = new SecureRandom();

  private final boolean exposeErrors;

  Problems(boolean exposeErrors) {
    this.exposeErrors = exposeErrors;
  }

  /** The answer to a request for {@code key} (the text the client sent; may be null) that failed. */
  HttpResponse response(Throwable failure, String key) {
    ObjectNode body = node(failure, key);
    return response(ErrorCode.valueOf(body.get("code").asText()), body);
  }

  /** The JSON of a failure, for a response or one element of a bulk answer. */
  ObjectNode node(Throwable failure, String key) {
    Throwable cause = unwrap(failure);
    if (cause instanceof Refused refused) {
      return body(refused.code(), refused.getMessage(), refused.key() != null ? refused.key() : key, null);
    }
    ErrorCode code = ErrorCode.of(cause);
    String fullKey = key != null ? key : cause instanceof KckException kck ? kck.key() : null;
    String shownKey = fullKey == null ? null : abbreviate(fullKey);
    if (code.serverSide() || code == ErrorCode.INVALID_VALUE) {
      // INVALID_VALUE from KCK itself (a value of the wrong class, an augment function that
      // threw) names value classes and exception texts: logged, like a server-side failure.
      String id = newId();
      if (code.serverSide()) {
        log.warn("[{}] {} for key {}", id, code, shownKey, cause);
      } else {
        log.info("[{}] {} for key {}: {}", id, code, shownKey, cause.toString());
      }
      String message = exposeErrors && cause.getMessage() != null
          ? bounded(replaceKey(cause.getMessage(), fullKey, shownKey))
          : summary(code, shownKey, id);
      return body(code, message, shownKey, id);
    }
    String message = cause.getMessage() == null ? code.name() : replaceKey(cause.getMessage(), fullKey, shownKey);
    return body(code, bounded(message), shownKey, null);
  }

  /**
   * What an error body must never contain: a Java class name (qualified, or an exception's simple
   * name), a setting's path ({@code kck.}, {@code akka.}), a stack frame. Texts Akka HTTP writes
   * itself (routing, parsing) pass {@link #fromAkka} before they go out; the service's own
   * messages are written without them, which {@code ErrorBodyTest} checks for every code.
   */
  static final Pattern LEAK = Pattern.compile(
      "\\b(?:[a-z_][\\w$]*\\.)+[A-Z][\\w$]*|\\b\\w*(?:Exception|Error)\\b|\\b(?:kck|akka|java|javax|scala)\\.[a-z]"
          + "|\\bat [\\w$.]+\\(|`");

  /** Akka HTTP's text of an answer, when it says nothing internal; else a plain one for its code. */
  static String fromAkka(ErrorCode code, String text) {
    if (text != null && !text.isBlank() && !LEAK.matcher(text).find()) {
      return text;
    }
    return switch (code) {
      case TOO_LARGE -> "The body is larger than the service accepts";
      case URI_TOO_LONG -> "The request target is longer than the service accepts";
      case HEADERS_TOO_LARGE -> "The request's headers are larger than the service accepts";
      case NOT_FOUND -> "The requested resource could not be found";
      case METHOD_NOT_ALLOWED -> "The method is not allowed on this resource";
      case UNSUPPORTED_MEDIA_TYPE -> "The request's content type is not accepted here";
      default -> "The request could not be handled (" + code.status().intValue() + ")";
    };
  }

  /** An error the service makes itself (guards, parsing, routing). */
  static HttpResponse response(ErrorCode code, String message, String key) {
    return response(code, body(code, bounded(message), key == null ? null : abbreviate(key), null));
  }

  static HttpResponse response(ErrorCode code, ObjectNode body) {
    HttpResponse response = HttpResponse.create().withStatus(code.status())
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, write(body)));
    return code == ErrorCode.UNAUTHORIZED ? response.addHeader(RawHeader.create("WWW-Authenticate", "Bearer")) : response;
  }

  /** What a client sees in an entry's lastError: that the last refresh failed, not why. */
  String lastError(String lastError) {
    if (lastError == null || exposeErrors) {
      return lastError == null ? null : bounded(lastError);
    }
    return "The last refresh failed; the node's log has the details";
  }

  /** {@code key}, or its first {@link #KEY_ECHO} characters and its length. */
  static String abbreviate(String key) {
    return key.length() <= KEY_ECHO ? key : key.substring(0, KEY_ECHO - 16) + "...(" + key.length() + " characters)";
  }

  static String bounded(String message) {
    return message.length() <= MESSAGE_MAX ? message : message.substring(0, MESSAGE_MAX - 3) + "...";
  }

  private static String summary(ErrorCode code, String key, String id) {
    String of = key == null ? "" : " of key '" + key + "'";
    String details = " The node's log has the details under id " + id + ".";
    return switch (code) {
      case COMPUTE_FAILED -> "The compute" + of + " failed." + details;
      case COMPUTE_TIMEOUT -> "The compute" + of + " took longer than its timeout." + details;
      case DEPENDENCY_CYCLE -> "The compute" + of + " reads a product that reads it back." + details;
      case UNAVAILABLE -> "The request" + of + " could not be answered in time; try again." + details;
      case OVERLOADED -> "The node is too busy to answer the request" + of + "; try again later." + details;
      case INVALID_VALUE -> "The value" + of + " was refused." + details;
      default -> "The request" + of + " failed." + details;
    };
  }

  private static ObjectNode body(ErrorCode code, String message, String key, String id) {
    ObjectNode node = json.createObjectNode().put("code", code.name()).put("message", message);
    if (key != null) {
      node.put("key", abbreviate(key));
    }
    if (id != null) {
      node.put("id", id);
    }
    return node;
  }

  private static String replaceKey(String message, String fullKey, String shownKey) {
    return fullKey == null || fullKey.equals(shownKey) || fullKey.isEmpty() ? message : message.replace(fullKey, shownKey);
  }

  private static String newId() {
    byte[] bytes = new byte[6];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  static byte[] write(ObjectNode node) {
    try {
      return json.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("An error body always writes", e);
    }
  }
}
