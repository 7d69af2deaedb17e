package io.kck;

/**
 * Something that starts with KCK: named in {@code kck.extensions} (class names, each with a public
 * no-argument constructor), created and called once by {@link Kck.Builder#start()} after the
 * engine runs. KCK's HTTP service is one ({@code io.kck.http.HttpExtension}); it decides from its
 * own configuration whether to do anything.
 *
 * <p>An extension that throws fails {@code Kck.start}.
 */
public interface KckExtension {
  /** KCK has started on {@code kck.system()}. */
  void started(Kck kck);
}
