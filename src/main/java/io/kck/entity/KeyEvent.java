package io.kck.entity;

import io.kck.persistence.KckSerializable;
import io.kck.persistence.StoredValue;
import java.time.Instant;

/** What happened to a key, as journaled. Replaying these rebuilds its {@link KeyState}. */
public sealed interface KeyEvent extends KckSerializable {

  /** Where a stored value came from. */
  enum Origin {
    /** The primer computed it. */
    COMPUTED,
    /** The application supplied it with {@code put}. */
    PUT
  }

  /** A new value replaced the key's value (if any); {@code version} is the previous plus one. */
  record ValueStored(long version, Instant computedAt, StoredValue value, Origin origin)
      implements KeyEvent {}

  /** The value was invalidated: the next get computes. The version is kept. */
  record ValueDropped(Instant at) implements KeyEvent {}
}
