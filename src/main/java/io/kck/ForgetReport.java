package io.kck;

/**
 * What one retention sweep did ({@link KckAdmin#forgetUnused()}).
 *
 * @param forgotten keys that deleted their rows
 * @param kept keys asked but still wanted (read by other keys, running, or holding data the
 *     application gave), or used since the sweep's query
 * @param failed keys that did not answer (they are asked again by the next sweep), plus one if
 *     the sweep itself failed (its query, for example, while the database is unreachable)
 */
public record ForgetReport(int forgotten, int kept, int failed) {}
