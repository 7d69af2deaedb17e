package io.kck.cluster;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.ConfigFactory;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.testing.CountingPrimer;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/**
 * One node of {@link BootstrapJvmsTest}, in a JVM of its own: starts KCK with the configuration
 * file it is given (bootstrap on, config discovery), then reports on standard output, every half
 * second, how many members are Up and what it reads for the test's keys. It exits when its
 * standard input closes (the test ended, or its JVM died).
 */
public final class BootstrapNode {
  static final int KEYS = 6;

  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // the test writes nothing; EOF is the signal
        }
      } catch (java.io.IOException e) {
        // the pipe broke: the test is gone
      }
      Runtime.getRuntime().halt(0);
    }, "stdin-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "BootstrapJvms",
        ConfigFactory.load(ConfigFactory.parseFile(new File(args[0]))));
    CountingPrimer sales = new CountingPrimer("jvm-sales");
    Kck kck;
    try {
      kck = Kck.start(system, sales);
    } catch (RuntimeException e) {
      e.printStackTrace(System.out);
      System.out.println("FAILED " + e);
      Runtime.getRuntime().halt(1); // the ActorSystem's threads would keep this JVM alive
      return;
    }
    System.out.println("STARTED " + Cluster.get(system).selfMember().address());
    while (true) {
      Thread.sleep(500);
      long up = StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
          .filter(member -> member.status() == MemberStatus.up()).count();
      if (up < 3) {
        System.out.println("UP " + up);
        continue;
      }
      List<String> read = new ArrayList<>();
      for (int id = 1; id <= KEYS; id++) {
        try {
          Entry<Object> entry = kck.getEntry("jvm-sales/r" + id).toCompletableFuture().get(10, TimeUnit.SECONDS);
          read.add("r" + id + "=v" + entry.version() + ":" + entry.value());
        } catch (Exception e) {
          read.add("r" + id + "=" + e.getClass().getSimpleName());
        }
      }
      System.out.println("UP " + up + " READ " + String.join(",", read) + " COMPUTES " + sales.computes());
    }
  }
}
