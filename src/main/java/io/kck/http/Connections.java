package io.kck.http;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.IncomingConnection;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.Route;
import akka.stream.Materializer;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;

/**
 * Each connection the service accepts, admitted by {@link ConnectionSlots} (or closed at once,
 * unread) and served behind a {@link RequestDeadline}; its slot is given back when it ends,
 * however it ends.
 */
final class Connections {
  private final Materializer materializer;
  private final ConnectionSlots slots;
  private final Flow<HttpRequest, HttpResponse, NotUsed> full;
  private final Flow<HttpRequest, HttpResponse, NotUsed> reserve;
  private static final Flow<HttpRequest, HttpResponse, NotUsed> REFUSED =
      Flow.fromSinkAndSourceCoupled(Sink.cancelled(), Source.empty());

  Connections(ActorSystem<?> system, HttpSettings settings, Route route, Route reserveRoute) {
    this.materializer = Materializer.matFromSystem(system);
    this.slots = new ConnectionSlots(settings.maxConnections(), settings.maxConnectionsPerClient(),
        settings.healthConnections(), settings.clients());
    this.full = RequestDeadline.around(route.flow(system), settings.idleTimeout());
    this.reserve = RequestDeadline.around(reserveRoute.flow(system), settings.idleTimeout());
  }

  void accept(IncomingConnection connection) {
    ConnectionSlots.Slot slot = slots.admit(connection.remoteAddress().getAddress());
    if (slot == null) {
      connection.handleWith(REFUSED, materializer);
      return;
    }
    Flow<HttpRequest, HttpResponse, NotUsed> handler = (slot.reserve() ? reserve : full)
        .watchTermination((notUsed, done) -> {
          done.whenComplete((ignored, error) -> slots.release(slot));
          return notUsed;
        });
    connection.handleWith(handler, materializer);
  }
}
