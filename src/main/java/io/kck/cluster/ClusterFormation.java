package io.kck.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import com.typesafe.config.Config;
import io.kck.Kck;
import io.kck.KckExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The part of {@code Kck.start} that concerns how this node finds its cluster when it does not
 * join a list of seed nodes: with {@code kck.cluster.bootstrap = on}, starts Akka Management's HTTP
 * endpoint and its Cluster Bootstrap, which find the other nodes through Akka Discovery (config,
 * DNS, the Kubernetes API...) and join them, or form the cluster when none has.
 *
 * <p>It also records each started {@link Kck} by its ActorSystem, for {@link KckReadinessCheck}.
 *
 * <p>{@code Kck.start} starts it by name after the engine, on every node, whatever {@code
 * kck.extensions} says (so that the facade does not depend on this package: it depends on the
 * facade, as the HTTP service does); not meant for applications.
 */
public final class ClusterFormation implements KckExtension {
  /** The Akka Management release KCK is built and tested with (the last one under Apache 2.0). */
  static final String AKKA_MANAGEMENT_VERSION = "1.4.0";

  /** What bootstrapping needs on the class path: a class of each artifact, with its coordinates. */
  static final List<Map.Entry<String, String>> REQUIRED = List.of(
      Map.entry("akka.management.javadsl.AkkaManagement",
          "com.lightbend.akka.management:akka-management_2.13:" + AKKA_MANAGEMENT_VERSION),
      Map.entry("akka.management.cluster.bootstrap.ClusterBootstrap",
          "com.lightbend.akka.management:akka-management-cluster-bootstrap_2.13:" + AKKA_MANAGEMENT_VERSION));

  /** Discovery methods that live in an artifact of their own, with its coordinates. */
  static final Map<String, String> DISCOVERY_ARTIFACTS = Map.of(
      "kubernetes-api", "com.lightbend.akka.discovery:akka-discovery-kubernetes-api_2.13:" + AKKA_MANAGEMENT_VERSION);

  // By identity: the classic system behind the typed one, which is what Akka Management hands a check.
  private static final Map<akka.actor.ActorSystem, Kck> started = Collections.synchronizedMap(new IdentityHashMap<>());

  /** Created by {@code Kck.start}, by name. */
  public ClusterFormation() {}

  /**
   * Records {@code kck} for the readiness check and, when {@code kck.cluster.bootstrap = on},
   * starts Akka Management and Cluster Bootstrap; returns once Akka Management's endpoint is bound.
   *
   * @throws IllegalArgumentException if bootstrap is on together with seed nodes or join-self, or
   *     without a discovery method
   * @throws IllegalStateException if bootstrap is on and an artifact it needs is not on the class
   *     path (the message names it), or Akka Management's endpoint cannot be bound
   */
  @Override
  public void started(Kck kck) {
    ActorSystem<?> system = kck.system();
    akka.actor.ActorSystem classic = Adapter.toClassic(system);
    started.put(classic, kck);
    system.getWhenTerminated().thenRun(() -> started.remove(classic));
    Config config = system.settings().config();
    if (!config.getBoolean("kck.cluster.bootstrap")) {
      return;
    }
    checkSettings(config);
    requireArtifacts(config, ClusterFormation::onClassPath);
    ManagementNode.start(system);
  }

  /**
   * Fails naming every artifact bootstrapping needs that {@code present} (a test of a class name)
   * does not find.
   *
   * @throws IllegalStateException if one is missing
   */
  static void requireArtifacts(Config config, Predicate<String> present) {
    List<String> missing = missingArtifacts(config, present);
    if (!missing.isEmpty()) {
      throw new IllegalStateException("kck.cluster.bootstrap = on needs Akka Management on the class path: add "
          + String.join(", ", missing) + " to your application's dependencies (KCK declares them optional;"
          + " see docs/cluster.md)");
    }
  }

  /** The KCK started on {@code system} (the classic side of its ActorSystem), or null. */
  static Kck on(akka.actor.ActorSystem system) {
    return started.get(system);
  }

  /** Settings that contradict bootstrapping, each refused with the setting to change. */
  static void checkSettings(Config config) {
    if (!config.getString("kck.cluster.seed-nodes").isBlank() || !config.getList("akka.cluster.seed-nodes").isEmpty()) {
      throw new IllegalArgumentException("kck.cluster.bootstrap = on finds the other nodes through Akka Discovery,"
          + " but seed nodes are configured too (kck.cluster.seed-nodes or akka.cluster.seed-nodes): keep one of the two");
    }
    if (config.getBoolean("kck.cluster.join-self")) {
      throw new IllegalArgumentException("kck.cluster.bootstrap = on: set kck.cluster.join-self = off as well"
          + " (Cluster Bootstrap decides which node forms the cluster; a node that joins itself forms one of its own)");
    }
    if (config.getString("akka.cluster.downing-provider-class").isBlank()) {
      throw new IllegalArgumentException("kck.cluster.bootstrap = on forms a cluster of several nodes but"
          + " akka.cluster.downing-provider-class is empty: a crashed node's keys would stay unavailable forever."
          + " Set it (KCK's reference.conf sets Akka's split-brain resolver; something overrode it)");
    }
  }

  /**
   * The coordinates of each artifact bootstrapping needs that {@code present} (a test of a class
   * name) does not find, the discovery method's own included.
   *
   * @throws IllegalArgumentException if no discovery method is configured
   */
  static List<String> missingArtifacts(Config config, Predicate<String> present) {
    List<String> missing = new ArrayList<>();
    REQUIRED.stream().filter(required -> !present.test(required.getKey()))
        .forEach(required -> missing.add(required.getValue()));
    boolean managementMissing = !missing.isEmpty();
    String method = discoveryMethod(config);
    List<String> methods = new ArrayList<>(List.of(method));
    if (method.equals("aggregate") && config.hasPath("akka.discovery.aggregate.discovery-methods")) {
      methods.addAll(config.getStringList("akka.discovery.aggregate.discovery-methods"));
    }
    for (String each : methods) {
      String path = "akka.discovery." + each + ".class";
      // A discovery method's defaults (its class among them) come with its artifact's reference.conf.
      if (config.hasPath(path) && present.test(config.getString(path))) {
        continue;
      }
      String artifact = DISCOVERY_ARTIFACTS.get(each);
      if (artifact != null) {
        missing.add(artifact);
      } else if (!managementMissing) { // else Akka Discovery itself (config, aggregate) comes with what is missing
        throw new IllegalArgumentException("kck.cluster.bootstrap = on: the discovery method '" + each
            + "' is not known here (no class at " + path + "): use config, aggregate or kubernetes-api,"
            + " or add the artifact that provides it");
      }
    }
    return missing;
  }

  /** The discovery method Cluster Bootstrap will use (its own setting, or Akka Discovery's). */
  static String discoveryMethod(Config config) {
    String bootstrap = "akka.management.cluster.bootstrap.contact-point-discovery.discovery-method";
    String method = config.hasPath(bootstrap) ? config.getString(bootstrap) : "akka.discovery";
    if (method.equals("akka.discovery")) {
      method = config.hasPath("akka.discovery.method") ? config.getString("akka.discovery.method") : "<method>";
    }
    if (method.isBlank() || method.equals("<method>")) {
      throw new IllegalArgumentException("kck.cluster.bootstrap = on: set akka.discovery.method, how nodes find"
          + " each other: config (a list of hosts, see docs/cluster.md), kubernetes-api (the pods of a"
          + " Deployment), or aggregate (several)");
    }
    return method;
  }

  private static boolean onClassPath(String className) {
    try {
      Class.forName(className, false, ClusterFormation.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
