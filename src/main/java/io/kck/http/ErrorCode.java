package io.kck.http;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import io.kck.ComputeFailedException;
import io.kck.ComputeTimeoutException;
import io.kck.DependencyCycleException;
import io.kck.InvalidKeyException;
import io.kck.InvalidValueException;
import io.kck.KckTimeoutException;
import io.kck.KeyUnavailableException;
import io.kck.NotCachedException;
import io.kck.NothingToAugmentException;
import io.kck.OverloadedException;
import io.kck.UnknownPrimerException;
import io.kck.VersionConflictException;

/** The HTTP API's stable error codes, each with its status, and which exception maps to which. */
enum ErrorCode {
  BAD_KEY(StatusCodes.BAD_REQUEST),
  INVALID_VALUE(StatusCodes.BAD_REQUEST),
  BAD_REQUEST(StatusCodes.BAD_REQUEST),
  UNAUTHORIZED(StatusCodes.UNAUTHORIZED),
  UNKNOWN_PRIMER(StatusCodes.NOT_FOUND),
  NOT_CACHED(StatusCodes.NOT_FOUND),
  VERSION_CONFLICT(StatusCodes.CONFLICT),
  NOTHING_TO_AUGMENT(StatusCodes.CONFLICT),
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

  static ErrorCode of(Throwable failure) {
    if (failure instanceof UnknownPrimerException) {
      return UNKNOWN_PRIMER;
    } else if (failure instanceof InvalidKeyException) {
      return BAD_KEY;
    } else if (failure instanceof InvalidValueException) {
      return INVALID_VALUE;
    } else if (failure instanceof NotCachedException) {
      return NOT_CACHED;
    } else if (failure instanceof VersionConflictException) {
      return VERSION_CONFLICT;
    } else if (failure instanceof NothingToAugmentException) {
      return NOTHING_TO_AUGMENT;
    } else if (failure instanceof DependencyCycleException) {
      return DEPENDENCY_CYCLE;
    } else if (failure instanceof ComputeFailedException) {
      return COMPUTE_FAILED;
    } else if (failure instanceof ComputeTimeoutException) {
      return COMPUTE_TIMEOUT;
    } else if (failure instanceof OverloadedException) {
      return OVERLOADED;
    } else if (failure instanceof KeyUnavailableException || failure instanceof KckTimeoutException) {
      return UNAVAILABLE;
    }
    return INTERNAL;
  }
}
