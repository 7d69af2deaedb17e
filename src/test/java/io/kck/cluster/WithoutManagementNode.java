package io.kck.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import io.kck.Kck;
import io.kck.testing.CountingPrimer;
import java.io.File;

/**
 * Run by {@link BootstrapJvmsTest} in a JVM whose class path lacks Akka Management, as an
 * application's does that does not add it: KCK starts as usual without bootstrap, and with
 * {@code kck.cluster.bootstrap = on} its start fails naming the artifacts to add. Prints one line
 * for each.
 */
public final class WithoutManagementNode {
  public static void main(String[] args) throws Exception {
    boolean found;
    try {
      Class.forName("akka.management.javadsl.AkkaManagement");
      found = true;
    } catch (ClassNotFoundException e) {
      found = false;
    }
    System.out.println("AKKA MANAGEMENT ON THE CLASS PATH: " + found);
    ActorSystem<Void> plain = ActorSystem.create(Behaviors.empty(), "WithoutManagement",
        ConfigFactory.load(ConfigFactory.parseFile(new File(args[0]))));
    try {
      Kck.start(plain, new CountingPrimer("no-management"));
      System.out.println("WITHOUT BOOTSTRAP: STARTED");
    } finally {
      plain.terminate();
      plain.getWhenTerminated().toCompletableFuture().get();
    }
    ActorSystem<Void> bootstrapping = ActorSystem.create(Behaviors.empty(), "WithoutManagement",
        ConfigFactory.load(ConfigFactory.parseString(
                "kck.cluster.bootstrap = on\nkck.cluster.join-self = off\nakka.discovery.method = kubernetes-api")
            .withFallback(ConfigFactory.parseFile(new File(args[0])))));
    try {
      Kck.start(bootstrapping, new CountingPrimer("no-management"));
      System.out.println("WITH BOOTSTRAP: STARTED");
    } catch (RuntimeException e) {
      System.out.println("WITH BOOTSTRAP: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      bootstrapping.terminate();
      bootstrapping.getWhenTerminated().toCompletableFuture().get();
    }
    System.exit(0);
  }
}
