package io.kck.testing;

import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A primer whose value is a text made from its parameters and a compute count, so a test sees
 * both what was computed and how often. Its behaviour per compute is set by the test.
 */
public class CountingPrimer extends Primer<String> {
  public static final Parameter<String> ID = Parameter.ofString("id");

  /** What one compute does; may block, throw, or wait on a latch. */
  @FunctionalInterface
  public interface Body {
    String compute(Key<String> key, int count) throws Exception;
  }

  private final AtomicInteger computes = new AtomicInteger();
  private volatile Body body = (key, count) -> "value of " + key.get(ID);

  public CountingPrimer(String name) {
    super(name, String.class, ID);
  }

  public CountingPrimer body(Body body) {
    this.body = body;
    return this;
  }

  public int computes() {
    return computes.get();
  }

  @Override
  public String compute(Key<String> key, ComputeContext<String> context) throws Exception {
    return body.compute(key, computes.incrementAndGet());
  }
}
