package io.kck.persistence;

/**
 * The names under which KCK's rows are journaled: the plugin ids of its journal and snapshot
 * store, and the persistence ids of its keys. Stored in every row, so none of them may change.
 */
public final class JournalNames {
  /** The journal plugin of every KCK entity (kck.journal in reference.conf). */
  public static final String JOURNAL_PLUGIN = "kck.journal";

  /** The snapshot store plugin of every KCK entity (kck.snapshot-store in reference.conf). */
  public static final String SNAPSHOT_PLUGIN = "kck.snapshot-store";

  /** The sharding entity type name of the keys, the first part of their persistence ids. */
  public static final String KEY_TYPE = "kck-key";

  /** The persistence id of the warm-key registry. */
  public static final String WARM_KEYS = "kck-warm-keys";

  /** The persistence id of the primers' refresh schedules (the last tick of each). */
  public static final String SCHEDULES = "kck-schedules";

  private JournalNames() {}

  /** The persistence id of {@code key} (its canonical text): {@code kck-key|<key>}. */
  public static String persistenceId(String key) {
    return KEY_TYPE + "|" + key;
  }
}
