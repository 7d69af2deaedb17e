package io.kck.testing;

import io.kck.Kck;
import io.kck.entity.KeyCommand;
import io.kck.entity.KeyStatus;
import java.time.Duration;

/** What a key's actor is doing now, for tests that wait on its transient state. */
public final class KeyStatuses {
  private KeyStatuses() {}

  public static KeyStatus of(Kck kck, String key) {
    return Stages.await(kck.entityRef(kck.parseKey(key)).ask(KeyCommand.Inspect::new, Duration.ofSeconds(5)));
  }
}
