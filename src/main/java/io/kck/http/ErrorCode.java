package io.kck.http;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import io.kck.errors.KckException;

/**
 * The HTTP API's stable error codes, each with its status. A {@link KckException} maps by its
 * {@link KckException#kind() kind}, in one exhaustive switch: a new kind does not compile until it
 * has a code here. The others are the service's own: a request refused before it reaches KCK.
 */
enum ErrorCode {
  BAD_KEY(StatusCodes.BAD_REQUEST),
  INVALID_VALUE(StatusCodes.BAD_REQUEST),
  BAD_JSON(StatusCodes.BAD_REQUEST),
  BAD_REQUEST(StatusCodes.BAD_REQUEST),
  UNAUTHORIZED(StatusCodes.UNAUTHORIZED),
  FORBIDDEN(StatusCodes.FORBIDDEN),
  UNKNOWN_PRIMER(StatusCodes.NOT_FOUND),
  NOT_CACHED(StatusCodes.NOT_FOUND),
  NOT_FOUND(StatusCodes.NOT_FOUND),
  METHOD_NOT_ALLOWED(StatusCodes.METHOD_NOT_ALLOWED),
  /** 412: only If-Match sets an expected version over HTTP, and a false If-Match is 412 (RFC 9110). */
  VERSION_CONFLICT(StatusCodes.PRECONDITION_FAILED),
  NOTHING_TO_AUGMENT(StatusCodes.CONFLICT),
  TOO_LARGE(StatusCodes.PAYLOAD_TOO_LARGE),
  URI_TOO_LONG(StatusCodes.URI_TOO_LONG),
  UNSUPPORTED_MEDIA_TYPE(StatusCodes.UNSUPPORTED_MEDIA_TYPE),
  HEADERS_TOO_LARGE(StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE),
  COMPUTE_FAILED(StatusCodes.INTERNAL_SERVER_ERROR),
  DEPENDENCY_CYCLE(StatusCodes.INTERNAL_SERVER_ERROR),
  INTERNAL(StatusCodes.INTERNAL_SERVER_ERROR),
  UNAVAILABLE(StatusCodes.SERVICE_UNAVAILABLE),
  OVERLOADED(StatusCodes.SERVICE_UNAVAILABLE),
  COMPUTE_TIMEOUT(StatusCodes.GATEWAY_TIMEOUT);

  private final StatusCode status;

  ErrorCode(StatusCode status) {
    this.status = status;
  }

  StatusCode status() {
    return status;
  }

  /** A server-side failure: its details go to the log, not to the client. */
  boolean serverSide() {
    return status.intValue() >= 500;
  }

  static ErrorCode of(Throwable failure) {
    return failure instanceof KckException kck ? of(kck.kind()) : INTERNAL;
  }

  static ErrorCode of(KckException.Kind kind) {
    return switch (kind) {
      case INVALID_KEY, WRONG_PARAMETER_COUNT, INVALID_PARAMETER -> BAD_KEY;
      case UNKNOWN_PRIMER -> UNKNOWN_PRIMER;
      case INVALID_VALUE -> INVALID_VALUE;
      case NOT_CACHED -> NOT_CACHED;
      case VERSION_CONFLICT -> VERSION_CONFLICT;
      case NOTHING_TO_AUGMENT -> NOTHING_TO_AUGMENT;
      case COMPUTE_FAILED -> COMPUTE_FAILED;
      case COMPUTE_TIMEOUT -> COMPUTE_TIMEOUT;
      case DEPENDENCY_CYCLE -> DEPENDENCY_CYCLE;
      case OVERLOADED -> OVERLOADED;
      case UNAVAILABLE, TIMEOUT -> UNAVAILABLE;
    };
  }

  /** The code of a status Akka HTTP answers by itself (parsing, routing). */
  static ErrorCode ofStatus(int status) {
    return switch (status) {
      case 401 -> UNAUTHORIZED;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 413 -> TOO_LARGE;
      case 414 -> URI_TOO_LONG;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 431 -> HEADERS_TOO_LARGE;
      case 503 -> UNAVAILABLE;
      case 504 -> COMPUTE_TIMEOUT;
      default -> status >= 500 ? INTERNAL : BAD_REQUEST;
    };
  }
}
