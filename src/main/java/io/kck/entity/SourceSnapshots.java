package io.kck.entity;

/**
 * Where a compute of a primer with source tables asks which transactions of the source database
 * have committed, before it starts and after it ends ({@link ComputeWindow}). Thread-safe: asked
 * from the compute pool.
 */
@FunctionalInterface
public interface SourceSnapshots {

  /** The source database's snapshot now; null when it cannot be had (the database is unreachable). */
  TxnSnapshot now();
}
