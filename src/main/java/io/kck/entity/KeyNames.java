package io.kck.entity;

import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import io.kck.persistence.JournalNames;

/** The names of the keys' entities: their sharding type, and a key's primer read from its text. */
public final class KeyNames {
  /** The sharding entity type of every key; its name begins every key's persistence id. */
  public static final EntityTypeKey<KeyCommand> TYPE_KEY = EntityTypeKey.create(KeyCommand.class, JournalNames.KEY_TYPE);

  private KeyNames() {}

  /** The primer name: the text before the first {@code /}. */
  public static String primerName(String key) {
    int slash = key.indexOf('/');
    return slash < 0 ? key : key.substring(0, slash);
  }
}
