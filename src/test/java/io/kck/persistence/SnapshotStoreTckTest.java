package io.kck.persistence;

import akka.persistence.CapabilityFlag;
import akka.persistence.japi.snapshot.JavaSnapshotStoreSpec;
import akka.persistence.snapshot.SnapshotStoreSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Akka's snapshot store plugin TCK against KCK's snapshot store, plugin id {@code
 * kck.snapshot-store}: a load finds the newest snapshot within the sequence number and timestamp
 * bounds (or none), deletions by metadata and by criteria remove exactly what they name, a save
 * with the same sequence number overwrites, a snapshot of 10,000 bytes is stored, and snapshots
 * and their metadata come back as they were saved. The key entities load from snapshots, and a
 * snapshot store of KCK's own under the same plugin id must pass the same cases.
 *
 * <p>Why TCK 2.6.21 with Akka 2.8.5: {@code akka-persistence-tck} 2.8.5 is not on Maven Central;
 * 2.6.21 is (Apache 2.0), and its specs are those of 2.8.5 (the sources differ only in copyright
 * headers and import order). It runs on the pinned Akka 2.8.5 (pom.xml excludes its own Akka
 * modules). Its suite is ScalaTest's; {@link PluginTck#run} makes each case a test of its own.
 */
class SnapshotStoreTckTest {
  @TestFactory
  Stream<DynamicTest> akkaSnapshotStoreTck() {
    return PluginTck.run(new Spec(), SnapshotStoreSpec.class);
  }

  /** The TCK's snapshot store spec on KCK's snapshot store, with the capabilities it claims. */
  public static final class Spec extends JavaSnapshotStoreSpec {
    public Spec() {
      super(PluginTck.config("snapshot_store_tck"));
    }

    @Override
    public void beforeAll() {
      super.beforeAll();
      PluginTck.createTables(system());
    }

    /** Snapshots go through Akka serialization (the TCK's TestPayload has a serializer of its own). */
    @Override
    public CapabilityFlag supportsSerialization() {
      return CapabilityFlag.on();
    }

    /** Snapshot metadata (SnapshotMetadata.withMetadata) is stored and loaded. */
    @Override
    public CapabilityFlag supportsMetadata() {
      return CapabilityFlag.on();
    }
  }
}
