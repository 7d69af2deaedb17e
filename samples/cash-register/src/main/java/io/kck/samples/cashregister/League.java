package io.kck.samples.cashregister;

import java.time.LocalDate;
import java.util.List;

/** The chain's stores of one day, best first. */
public record League(LocalDate day, List<StoreDay> ranking) {}
