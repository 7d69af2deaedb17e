/**
 * The engine (internal: no type here is part of KCK's API, and any may change): the key entity,
 * one Cluster Sharding entity per key, event sourced into PostgreSQL, in named parts; the compute
 * pool; the warm-key registry; subscriptions; and {@link io.kck.entity.Engine}, which wires them
 * on an ActorSystem. Never imports the facade ({@code io.kck}), HTTP or SQL.
 */
package io.kck.entity;
