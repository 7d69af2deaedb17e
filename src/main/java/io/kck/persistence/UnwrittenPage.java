package io.kck.persistence;

import java.util.List;
import java.util.Optional;

/**
 * What one page of a walk over the journal's keys found ({@link JournalRows#unwrittenSince}).
 *
 * @param keys keys (canonical text) none of whose rows was written at or after their cutoff, in
 *     the walk's order
 * @param next where the walk goes on: after the last key this page passed; empty when the page
 *     reached the end of the walk
 */
public record UnwrittenPage(List<String> keys, Optional<JournalPosition> next) {

  public UnwrittenPage {
    keys = List.copyOf(keys);
  }
}
