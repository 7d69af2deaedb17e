/**
 * KCK's HTTP service (an extension, started when {@code kck.http.enabled} is on): the JSON API,
 * server-sent events, the page, health and metrics, on Akka HTTP. Built on the facade like any
 * application.
 *
 * <p>May import: {@code io.kck}, {@code io.kck.primer} (and its {@code internal}), {@code io.kck.errors}.
 */
package io.kck.http;
