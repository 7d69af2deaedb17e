package io.kck.entity;

import io.kck.persistence.KckSerializable;
import java.util.Map;

/**
 * What one compute read of other products, as it reports back to its key.
 *
 * @param inputs each product read, with the version read
 * @param lineage the upstream versions the value read was made from, transitively
 * @param inconsistent whether two reads saw different versions of one upstream product: the key
 *     computes again instead of storing the result
 */
public record ComputeReads(Map<String, Long> inputs, Map<String, Long> lineage, boolean inconsistent)
    implements KckSerializable {}
