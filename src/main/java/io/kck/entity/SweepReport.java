package io.kck.entity;

import io.kck.persistence.KckSerializable;

/**
 * What one retention sweep did.
 *
 * @param forgotten keys forgotten
 * @param kept keys asked but kept
 * @param failed keys asked without an answer, plus one if the sweep itself failed
 */
public record SweepReport(int forgotten, int kept, int failed) implements KckSerializable {}
