package io.kck.http;

import akka.event.LoggingAdapter;
import akka.http.ParsingErrorHandler;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;

/**
 * The answer to a request Akka HTTP cannot parse (a URI too long, a bad percent-escape, headers
 * too large), which never reaches a route: the documented JSON instead of Akka's plain text.
 * Named in the service's {@code akka.http.server.parsing.error-handler}; Akka creates it by its
 * no-argument constructor.
 *
 * <p>A request target that is not a valid URL answers {@code BAD_KEY}: in this API the variable
 * part of every path is a key's text, and {@code Kck.key} refuses the same text the same way.
 */
public final class JsonParsingErrors extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String summary = info.summary() == null ? "" : info.summary();
    ErrorCode code = ErrorCode.ofStatus(status.intValue());
    String message;
    if (code == ErrorCode.BAD_REQUEST && summary.startsWith("Illegal request-target")) {
      code = ErrorCode.BAD_KEY;
      message = "The request target is not a valid URL path: a key's text must be percent-encoded UTF-8 ("
          + summary.substring(0, Math.min(summary.length(), 120)) + ")";
    } else {
      message = status.reason() + (summary.isEmpty() ? "" : ": " + summary.substring(0, Math.min(summary.length(), 120)));
    }
    return Problems.response(code, Problems.fromAkka(code, message), null).withStatus(status.intValue());
  }
}
