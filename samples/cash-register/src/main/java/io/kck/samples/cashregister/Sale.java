package io.kck.samples.cashregister;

import java.time.LocalTime;

/** One sale rung up at a register. */
public record Sale(LocalTime at, String item, long cents) {}
