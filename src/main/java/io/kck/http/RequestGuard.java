package io.kck.http;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.headers.Host;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Who may ask what, checked before a request reaches KCK:
 *
 * <ul>
 *   <li>every request: its {@code Host} must be an allowed host (a DNS-rebinding page sends its
 *       own name), and an {@code Origin}, when a browser sends one, must be the service's own or an
 *       allowed origin (a page of another site gets nothing, not even a read);
 *   <li>reads ({@code /api/...}): the read token, or the write token, when a read token is set;
 *   <li>writes: the write token; with none set, writes are refused unless {@code open-writes};
 *   <li>POST and PUT: {@code Content-Type: application/json}, which a cross-site form or a
 *       "simple" cross-origin request cannot send without a CORS preflight (which fails here).
 * </ul>
 */
final class RequestGuard extends AllDirectives {
  private final HttpSettings settings;

  RequestGuard(HttpSettings settings) {
    this.settings = settings;
  }

  /** Host and Origin checks, around every route. */
  Route sameSite(Supplier<Route> inner) {
    return extractRequest(request -> {
      Optional<String> problem = hostProblem(request).or(() -> originProblem(request));
      return problem.isPresent() ? complete(Problems.response(ErrorCode.FORBIDDEN, problem.get(), null)) : inner.get();
    });
  }

  /** Reads need a token when {@code kck.http.read-token} is set (the write token also reads). */
  Route reads(Supplier<Route> inner) {
    if (settings.readToken().isEmpty()) {
      return inner.get();
    }
    return optionalHeaderValueByName("Authorization", header ->
        settings.readToken().matches(header) || settings.writeToken().matches(header)
            ? inner.get()
            : complete(Problems.response(ErrorCode.UNAUTHORIZED,
                "Reads need 'Authorization: Bearer <the read token>'", null)));
  }

  /**
   * Like {@link #reads(Supplier)}, telling {@code inner} whether the caller is anonymous: it showed
   * neither token (possible only while reads are open).
   */
  Route readsBy(Function<Boolean, Route> inner) {
    return reads(() -> optionalHeaderValueByName("Authorization", header ->
        inner.apply(!settings.readToken().matches(header) && !settings.writeToken().matches(header))));
  }

  /** Writes need the write token; without one set they are closed unless open-writes is on. */
  Route writes(Supplier<Route> inner) {
    Supplier<Route> typed = () -> json(inner);
    if (settings.writesOpen()) {
      return typed.get();
    }
    if (settings.writeToken().isEmpty()) {
      return complete(Problems.response(ErrorCode.FORBIDDEN,
          "Writes are closed on this service: it has no write token", null));
    }
    return optionalHeaderValueByName("Authorization", header ->
        settings.writeToken().matches(header)
            ? typed.get()
            : complete(Problems.response(ErrorCode.UNAUTHORIZED,
                "Writes need 'Authorization: Bearer <the write token>'", null)));
  }

  /** A POST or PUT must say its body is JSON (a bodyless refresh too). */
  Route json(Supplier<Route> inner) {
    return extractRequest(request -> {
      boolean needsType = request.method().equals(HttpMethods.POST) || request.method().equals(HttpMethods.PUT);
      if (needsType && !request.entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
        return complete(Problems.response(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            "POST and PUT need 'Content-Type: application/json'", null));
      }
      return inner.get();
    });
  }

  private Optional<String> hostProblem(HttpRequest request) {
    if (settings.allowedHosts().contains("*")) {
      return Optional.empty();
    }
    String host = request.getHeader(Host.class).map(header -> header.host().address())
        .orElse(request.getUri().host().address());
    if (host == null || host.isEmpty() || !settings.allowedHosts().contains(HttpSettings.normalHost(host))) {
      return Optional.of("This service does not answer for host '" + Problems.abbreviate(String.valueOf(host))
          + "': not an allowed host");
    }
    return Optional.empty();
  }

  private Optional<String> originProblem(HttpRequest request) {
    Optional<String> origin = request.getHeader("Origin").map(header -> header.value().trim().toLowerCase(Locale.ROOT));
    if (origin.isEmpty() || settings.allowedOrigins().contains(origin.get()) || sameOrigin(origin.get(), request)) {
      return Optional.empty();
    }
    return Optional.of("Requests from origin '" + Problems.abbreviate(origin.get())
        + "' are not accepted: not the service's own or an allowed origin");
  }

  /** The page this service served: its origin is the Host the request was sent to. */
  private static boolean sameOrigin(String origin, HttpRequest request) {
    Optional<Host> host = request.getHeader(Host.class);
    if (host.isEmpty()) {
      return false;
    }
    try {
      URI uri = new URI(origin);
      if (uri.getHost() == null || uri.getScheme() == null) {
        return false;
      }
      int originPort = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
      int hostPort = host.get().port() > 0 ? host.get().port() : originPort;
      return HttpSettings.normalHost(uri.getHost()).equals(HttpSettings.normalHost(host.get().host().address()))
          && originPort == hostPort;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
