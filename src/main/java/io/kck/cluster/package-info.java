/**
 * How a node finds its cluster: Akka Management's Cluster Bootstrap when {@code
 * kck.cluster.bootstrap = on}, and KCK's readiness as an Akka Management health check, so that one
 * set of probes ({@code /ready}, {@code /alive} on Akka Management's port) serves a deployment.
 *
 * <p>Akka Management is an optional dependency of KCK: nothing here loads one of its classes unless
 * bootstrap is switched on, and then {@code Kck.start} first checks that its artifacts are on the
 * class path and names the ones to add when they are not. docs/cluster.md tells how to deploy.
 */
package io.kck.cluster;
