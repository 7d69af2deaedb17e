package io.kck.docs;

import java.time.LocalTime;

// tag::sale[]
/** One sale rung up at a register: the delta that augments a register's day. */
public record Sale(LocalTime at, String item, long cents) {}
// end::sale[]
