package io.kck.errors;

import org.jspecify.annotations.Nullable;

/**
 * The cause of a failure that happened on another node of the cluster, known by the class name and
 * message of the exception thrown there (exceptions themselves do not cross the network).
 */
public final class RemoteFailure extends RuntimeException {
  /** The class of the exception thrown on the other node. */
  private final String className;

  /** A failure on another node: the class name and message of what was thrown there. */
  public RemoteFailure(String className, @Nullable String message) {
    super(className + (message == null ? "" : ": " + message), null, false, false);
    this.className = className;
  }

  /** The class name of the exception as it was thrown. */
  public String className() {
    return className;
  }
}
