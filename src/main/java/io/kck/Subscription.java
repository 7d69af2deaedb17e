package io.kck;

/**
 * A running subscription to a key's updates ({@link Kck#subscribe}). Closing it stops the
 * callbacks (one already running finishes); closing twice is harmless. Thread-safe.
 */
public interface Subscription extends AutoCloseable {
  /** Ends the subscription. */
  @Override
  void close();
}
