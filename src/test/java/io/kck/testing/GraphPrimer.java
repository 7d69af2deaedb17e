package io.kck.testing;

import io.kck.primer.ComputeContext;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.Propagation;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A primer for dependency tests: its compute is a function of the key and the context (so it can
 * read other products), set by the test, and it counts its computes.
 */
public final class GraphPrimer extends Primer<String> {
  public static final Parameter<String> ID = Parameter.ofString("id");

  /** One compute. */
  @FunctionalInterface
  public interface Body {
    String compute(String id, ComputeContext<String> context) throws Exception;
  }

  private final AtomicInteger computes = new AtomicInteger();
  private final Propagation propagation;
  private final List<String> dependsOn;
  private volatile Body body;

  public GraphPrimer(String name, Propagation propagation, Body body, String... dependsOn) {
    super(name, String.class, ID);
    this.propagation = propagation;
    this.body = body;
    this.dependsOn = List.of(dependsOn);
  }

  public GraphPrimer(String name, Body body) {
    this(name, Propagation.EAGER, body);
  }

  public int computes() {
    return computes.get();
  }

  public GraphPrimer body(Body body) {
    this.body = body;
    return this;
  }

  @Override
  public Propagation propagation() {
    return propagation;
  }

  @Override
  public List<String> dependsOn() {
    return dependsOn;
  }

  @Override
  public String compute(Key<String> key, ComputeContext<String> context) throws Exception {
    computes.incrementAndGet();
    return body.compute(key.get(ID), context);
  }
}
