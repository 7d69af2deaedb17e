package io.kck.http;

import akka.NotUsed;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.ResponseEntity;
import akka.stream.Attributes;
import akka.stream.BidiShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import java.time.Duration;

/**
 * Closes a connection that holds no request for {@code kck.http.idle-timeout}: from its opening
 * until a request's head arrives, and again after each answer has been written to the end. A
 * request in flight (a slow compute, a body being uploaded, an event stream) is not idle: the
 * request timeout, and a stream's own keep-alive, bound those. Akka HTTP's own idle timeout,
 * which must exceed the request timeout, stays as the outer bound.
 *
 * <p>Sits between the connection and the route, one per connection; touched only by its stream.
 */
final class RequestDeadline extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private final Duration timeout;
  private final Inlet<HttpRequest> requestIn = Inlet.create("RequestDeadline.requestIn");
  private final Outlet<HttpRequest> requestOut = Outlet.create("RequestDeadline.requestOut");
  private final Inlet<HttpResponse> responseIn = Inlet.create("RequestDeadline.responseIn");
  private final Outlet<HttpResponse> responseOut = Outlet.create("RequestDeadline.responseOut");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      new BidiShape<>(requestIn, requestOut, responseIn, responseOut);

  private RequestDeadline(Duration timeout) {
    this.timeout = timeout;
  }

  /** {@code handler} behind the deadline. */
  static Flow<HttpRequest, HttpResponse, NotUsed> around(Flow<HttpRequest, HttpResponse, NotUsed> handler,
      Duration timeout) {
    return BidiFlow.fromGraph(new RequestDeadline(timeout)).join(handler);
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private static final String IDLE = "idle";
      /** Requests whose answer has not been written to its end. */
      private int busy;
      private final AsyncCallback<NotUsed> answered = createAsyncCallback(done -> idleAgain());

      {
        setHandler(requestIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            busy++;
            cancelTimer(IDLE);
            push(requestOut, grab(requestIn));
          }

          @Override
          public void onUpstreamFinish() {
            complete(requestOut);
          }
        });
        setHandler(requestOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(requestIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(requestIn, cause);
          }
        });
        setHandler(responseIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            HttpResponse response = grab(responseIn);
            ResponseEntity entity = response.entity();
            if (entity.isStrict()) {
              push(responseOut, response);
              idleAgain();
            } else {
              // The javadsl entity is a scaladsl one, which keeps its framing (chunks, length) here.
              Flow<ByteString, ByteString, Object> watched = Flow.<ByteString>create()
                  .watchTermination((notUsed, done) -> {
                    done.whenComplete((ignored, error) -> answered.invoke(NotUsed.getInstance()));
                    return (Object) notUsed;
                  });
              push(responseOut, response.withEntity(
                  ((akka.http.scaladsl.model.ResponseEntity) entity).transformDataBytes(watched.asScala())));
            }
          }

          @Override
          public void onUpstreamFinish() {
            complete(responseOut);
          }
        });
        setHandler(responseOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(responseIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(responseIn, cause);
          }
        });
      }

      @Override
      public void preStart() {
        scheduleOnce(IDLE, timeout);
      }

      private void idleAgain() {
        busy--;
        if (busy == 0) {
          scheduleOnce(IDLE, timeout);
        }
      }

      @Override
      public void onTimer(Object key) {
        completeStage(); // the connection closes; nothing was in flight on it
      }
    };
  }
}
