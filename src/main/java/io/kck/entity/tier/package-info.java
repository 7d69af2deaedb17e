/**
 * This node's read tier: the entries a get answers without asking a key's actor (the tier of this
 * node's keys, bounded by weight; the near cache of other nodes' keys), the shard guards under
 * which a stopped key's entry stays valid, and the loader that fills the tier from the journal in
 * bulk.
 *
 * <p>May import: {@code io.kck.entity}, {@code io.kck.entity.settings}, {@code io.kck.entity.metrics},
 * {@code io.kck.persistence}, {@code io.kck.primer} (and its {@code internal}), {@code io.kck.errors}.
 */
package io.kck.entity.tier;
