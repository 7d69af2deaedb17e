package io.kck.samples.springboot;

import io.kck.Entry;
import io.kck.Kck;
import io.kck.primer.Primer;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Serves greeting/<name> from KCK, without blocking a request thread while a compute runs. */
// tag::controller[]
@RestController
public class GreetingController {
  private final Kck kck;
  private final Primer<String> greeting;

  public GreetingController(Kck kck, Primer<String> greeting) {
    this.kck = kck;
    this.greeting = greeting;
  }

  /** What a client sees: the value, its version and when it was computed (for ETags, caches). */
  public record Greeting(String key, String text, long version, Instant computedAt) {}

  @GetMapping("/greetings/{name}")
  public CompletionStage<Greeting> greeting(@PathVariable String name) {
    var key = greeting.key(name);
    return kck.getEntry(key).thenApply((Entry<String> entry) ->
        new Greeting(key.toString(), entry.value(), entry.version(), entry.computedAt()));
  }
}
// end::controller[]
