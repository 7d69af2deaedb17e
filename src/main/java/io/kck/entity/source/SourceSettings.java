package io.kck.entity.source;

import com.typesafe.config.Config;
import io.kck.persistence.KckDatabaseProvider;
import java.time.Duration;

/**
 * The settings of {@code kck.sources} (reference.conf), read and checked once at start.
 *
 * @param url the JDBC URL of the database whose tables are sources (KCK's own when not set)
 * @param refreshWindow the least time between two refreshes of one key by source changes
 * @param maxLag past this lag in seconds, the node reports itself degraded
 * @param maxLagBytes past this lag in WAL bytes, the node reports itself degraded
 * @param snapshotConnections connections kept open for the snapshots computes take
 * @param snapshotWait how long a compute waits for one of them before it counts its snapshot as unknown
 * @param marksCleanInterval how often the consumer's node deletes the first computes' marks no longer needed
 */
public record SourceSettings(String url, String user, String password, String slot, String publication,
    Duration statusInterval, int maxPendingChanges, Duration retryDelay, Duration maxRetryDelay,
    Duration refreshWindow, Duration maxLag, long maxLagBytes, int snapshotConnections, Duration snapshotWait,
    Duration marksCleanInterval) {

  /** The settings; the database is KCK's own (starting the embedded one if needed) unless kck.sources.url is set. */
  public static SourceSettings fromConfig(Config config) {
    Config sources = config.getConfig("kck.sources");
    String url = sources.getString("url");
    String user = sources.getString("user");
    String password = sources.getString("password");
    if (url.isBlank()) {
      KckDatabaseProvider.DatabaseSettings own = KckDatabaseProvider.DatabaseSettings.from(config);
      url = own.jdbcUrl();
      user = own.user();
      password = own.password();
    }
    String slot = sources.getString("slot");
    if (!slot.matches("[a-z0-9_]{1,63}")) {
      throw new IllegalArgumentException("kck.sources.slot: a replication slot's name is 1 to 63 of a-z, 0-9 and _: '"
          + slot + "'");
    }
    String publication = sources.getString("publication");
    if (!publication.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("kck.sources.publication: letters, digits and _, at most 63: '" + publication + "'");
    }
    int maxPending = sources.getInt("max-pending-changes");
    if (maxPending < 1) {
      throw new IllegalArgumentException("kck.sources.max-pending-changes must be at least 1: " + maxPending);
    }
    Duration refreshWindow = sources.getDuration("refresh-window");
    if (refreshWindow.isNegative()) {
      throw new IllegalArgumentException("kck.sources.refresh-window must not be negative: " + refreshWindow);
    }
    Duration maxLag = sources.getDuration("max-lag");
    if (maxLag.isNegative() || maxLag.isZero()) {
      throw new IllegalArgumentException("kck.sources.max-lag must be positive: " + maxLag);
    }
    long maxLagBytes = sources.getBytes("max-lag-bytes");
    if (maxLagBytes < 1) {
      throw new IllegalArgumentException("kck.sources.max-lag-bytes must be positive: " + maxLagBytes);
    }
    int snapshotConnections = sources.getInt("snapshot-connections");
    if (snapshotConnections < 1 || snapshotConnections > 64) {
      throw new IllegalArgumentException("kck.sources.snapshot-connections must be 1 to 64: " + snapshotConnections);
    }
    Duration snapshotWait = positive(sources, "snapshot-wait");
    Duration marksCleanInterval = positive(sources, "marks-clean-interval");
    return new SourceSettings(url, user, password, slot, publication, sources.getDuration("status-interval"),
        maxPending, sources.getDuration("retry-delay"), sources.getDuration("max-retry-delay"), refreshWindow, maxLag,
        maxLagBytes, snapshotConnections, snapshotWait, marksCleanInterval);
  }

  private static Duration positive(Config sources, String path) {
    Duration duration = sources.getDuration(path);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("kck.sources." + path + " must be positive: " + duration);
    }
    return duration;
  }

  /** No password in logs. */
  @Override
  public String toString() {
    return "SourceSettings(" + url + ", user " + user + ", slot " + slot + ", publication " + publication + ")";
  }
}
