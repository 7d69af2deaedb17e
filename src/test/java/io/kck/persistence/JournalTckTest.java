package io.kck.persistence;

import akka.persistence.CapabilityFlag;
import akka.persistence.japi.journal.JavaJournalSpec;
import akka.persistence.journal.JournalSpec;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Akka's journal plugin TCK against KCK's journal, plugin id {@code kck.journal}: writes (atomic
 * batches included) are acknowledged in order, replays honour their sequence number bounds and
 * count limits and report the highest sequence number, deletions hide events without resetting
 * that number, a payload that cannot be serialized is rejected alone, and payloads, sender,
 * writer and metadata come back as they were written. The key entities rely on all of it, and a
 * journal of KCK's own under the same plugin id must pass the same cases.
 *
 * <p>Why TCK 2.6.21 with Akka 2.8.5: {@code akka-persistence-tck} 2.8.5 is not on Maven Central;
 * 2.6.21 is (Apache 2.0), and its specs are those of 2.8.5 (the sources differ only in copyright
 * headers and import order). It runs on the pinned Akka 2.8.5 (pom.xml excludes its own Akka
 * modules). Its suite is ScalaTest's; {@link PluginTck#run} makes each case a test of its own.
 */
class JournalTckTest {
  @TestFactory
  Stream<DynamicTest> akkaJournalTck() {
    return PluginTck.run(new Spec(), JournalSpec.class);
  }

  /** The TCK's journal spec on KCK's journal, with the capabilities it claims. */
  public static final class Spec extends JavaJournalSpec {
    public Spec() {
      super(PluginTck.config("journal_tck"));
    }

    @Override
    public void beforeAll() {
      super.beforeAll();
      PluginTck.createTables(system());
    }

    /** A payload without a serializer fails its own write (WriteMessageRejected), not the batch. */
    @Override
    public CapabilityFlag supportsRejectingNonSerializableObjects() {
      return CapabilityFlag.on();
    }

    /** Payloads go through Akka serialization (the TCK's TestPayload has a serializer of its own). */
    @Override
    public CapabilityFlag supportsSerialization() {
      return CapabilityFlag.on();
    }

    /** Event metadata (PersistentRepr.withMetadata) is stored and replayed. */
    @Override
    public CapabilityFlag supportsMetadata() {
      return CapabilityFlag.on();
    }
  }
}
