package io.kck.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.kck.Kck;
import io.kck.testing.CountingPrimer;
import io.kck.testing.TestNodes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Quick figures for the core (not a test): gets per second on a hot key with 1,000 requests in
 * flight, sequential hit latency, and the time to answer 1,000 concurrent gets of a cold key.
 * Each figure is the median of several rounds.
 *
 * <p>Run: {@code mvn -q test-compile exec:java -Dexec.mainClass=io.kck.bench.CoreFigures}
 */
public final class CoreFigures {
  public static void main(String[] args) throws Exception {
    Config config = ConfigFactory.load(TestNodes.config("akka.loglevel = ERROR"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "core-figures", config);
    try {
      CountingPrimer primer = new CountingPrimer("figures");
      Kck kck = Kck.start(system, primer);
      kck.get("figures/hot").toCompletableFuture().get(60, TimeUnit.SECONDS);

      double[] throughput = new double[5];
      for (int round = -2; round < throughput.length; round++) {
        double rate = hotThroughput(kck, 200_000, 1000);
        if (round >= 0) {
          throughput[round] = rate;
        }
      }
      double[] latency = new double[5];
      for (int round = -2; round < latency.length; round++) {
        long started = System.nanoTime();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
          kck.get("figures/hot").toCompletableFuture().get();
        }
        if (round >= 0) {
          latency[round] = (System.nanoTime() - started) / 1000.0 / n;
        }
      }
      double[] cold = new double[5];
      for (int round = 0; round < cold.length; round++) {
        String key = "figures/cold-" + round;
        int before = primer.computes();
        long started = System.nanoTime();
        List<CompletableFuture<Object>> answers = new ArrayList<>(1000);
        for (int i = 0; i < 1000; i++) {
          answers.add(kck.get(key).toCompletableFuture());
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        cold[round] = (System.nanoTime() - started) / 1e6;
        if (primer.computes() != before + 1) {
          throw new AssertionError("single flight broken: " + (primer.computes() - before) + " computes");
        }
      }
      System.out.printf("hot key, 1,000 in flight : median %,.0f gets/s  (rounds %s)%n", median(throughput), Arrays.toString(round(throughput)));
      System.out.printf("hot key, one at a time   : median %.1f µs/get   (rounds %s)%n", median(latency), Arrays.toString(round(latency)));
      System.out.printf("1,000 concurrent cold gets: median %.1f ms until all answered, 1 compute each (rounds %s)%n", median(cold), Arrays.toString(round(cold)));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  static double hotThroughput(Kck kck, int gets, int inFlight) throws InterruptedException {
    Semaphore window = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(gets);
    long started = System.nanoTime();
    for (int i = 0; i < gets; i++) {
      window.acquire();
      kck.get("figures/hot").whenComplete((v, e) -> {
        window.release();
        done.countDown();
      });
    }
    done.await();
    return gets / ((System.nanoTime() - started) / 1e9);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static long[] round(double[] values) {
    return Arrays.stream(values).mapToLong(Math::round).toArray();
  }
}
