package io.kck.http;

import io.kck.Kck;
import io.kck.KckExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the HTTP service with KCK when {@code kck.http.enabled} is on (listed in {@code
 * kck.extensions} by KCK's reference.conf). A service that cannot bind (a port in use) is logged,
 * not fatal: the library works without it. A configuration that would expose it unsafely (another
 * interface than loopback without a write token) or is invalid fails {@code Kck.start}: an
 * operator must hear of it at once, not find an open door later.
 */
public final class HttpExtension implements KckExtension {
  private static final Logger log = LoggerFactory.getLogger(HttpExtension.class);

  @Override
  public void started(Kck kck) {
    if (!kck.system().settings().config().getBoolean("kck.http.enabled")) {
      return;
    }
    KckHttp.start(kck).whenComplete((binding, error) -> {
      if (error != null) {
        log.error("KCK's HTTP service did not start (kck.http)", error);
      } else {
        log.info("KCK's HTTP service listens on {}", KckHttp.url(binding.localAddress()));
      }
    });
  }
}
