package io.kck.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs the benchmark suite in smoke mode (a few iterations) so that the harness cannot rot. Its
 * figures mean nothing and nothing is asserted about speed; the benchmarks themselves print the
 * real ones.
 */
class BenchmarksSmokeTest {

  @Test
  void everyCaseRunsAndPrintsARowBesideItsBaseline() throws Exception {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    List<Benchmarks.Row> rows = Benchmarks.smoke(new PrintStream(output, true, StandardCharsets.UTF_8));
    String table = output.toString(StandardCharsets.UTF_8);

    for (String name : List.of("hit, 1 thread", "hit, 2 thread", "hit p99", "single flight", "cold miss",
        "persistence: put, 1 writer", "persistence: put, 4 writer", "propagation: put to dependent readable, depth 1",
        "propagation: put to dependent readable, depth 10", "propagation: put to all",
        "propagation stage, depth 1: the dependent's insert and commit", "augment: one delta",
        "augment split", "hit by Key, 1 thread", "hit by text", "bytes allocated per hit, by Key", "recovery", "memory: heap per live",
        "memory: heap per ready idle key, actor passivated", "hit on a non-owner node, near cache",
        "near cache: put on the owner until the other node answers it, p99", "scale: 1,000 keys touched, heap after GC",
        "scale: 1,000 keys read again", "ycsb: 95% gets / 5% puts", "ycsb: 50% gets / 50% puts",
        "ycsb: heap after GC", "batch: 500 cold keys through one batch-computing primer",
        "journal: restart until warmKeys() lists", "journal: 200 keys (10 rows each) read back after a restart",
        "journal: heap after reading back", "journal: the sweep's walk over every row", "journal: hit, 1 thread",
        "journal: put, 4 writers", "journal: one sweep")) {
      assertTrue(rows.stream().anyMatch(row -> row.name().startsWith(name)), name + " missing:\n" + table);
    }
    for (Benchmarks.Row row : rows) {
      if (row.name().startsWith("memory") || row.name().startsWith("bytes allocated") || row.name().startsWith("augment split")
          || row.name().contains("heap after GC")) {
        // Heap differences over the smoke run's few keys are within GC noise, even negative; a
        // compiled get may allocate nothing (Caffeine's too); appending to a small value may take
        // less than the clock's resolution.
        assertTrue(Double.isFinite(row.ours()) && Double.isFinite(row.baseline()), row.toString());
      } else if (row.baselineName().isEmpty()) { // a count beside nothing, such as recomputes that should be none
        assertTrue(row.ours() >= 0, row.toString());
      } else {
        assertTrue(row.ours() >= 0 && row.baseline() > 0, row.toString());
      }
    }
    Benchmarks.Row computes = rows.stream()
        .filter(row -> row.name().startsWith("single flight: computes")).findFirst().orElseThrow();
    assertEquals(1.0, computes.ours(), "single flight in the benchmark");
    for (String clusterRow : List.of("gets spread over 3 nodes answered", "ycsb: 95% gets / 5% puts",
        "ycsb: 50% gets / 50% puts")) {
      assertTrue(rows.stream().anyMatch(row -> row.name().contains(clusterRow)
          && (row.name().contains("3 nodes") || row.name().contains("over 3 nodes"))), clusterRow + " on 3 nodes missing:\n" + table);
    }
    Benchmarks.Row spreadComputes = rows.stream()
        .filter(row -> row.name().contains("computes for") && row.name().contains("spread over 3 nodes")).findFirst().orElseThrow();
    assertEquals(1.0, spreadComputes.ours(), "one compute for gets spread over three nodes");
    assertTrue(table.contains("| case | ours (median) | baseline |"), table);
  }
}
