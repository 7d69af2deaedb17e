package io.kck.samples.cashregister;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the remote point-of-sale system: every import is slow (a network round trip and
 * a big query), and the same register and day always give the same sales. Counts its imports so
 * the sample can show how few there were.
 */
public final class SalesSource {
  private static final String[] ITEMS = {"coffee", "croissant", "newspaper", "water", "sandwich"};

  private final Duration latency;
  private final AtomicInteger imports = new AtomicInteger();

  public SalesSource(Duration latency) {
    this.latency = latency;
  }

  /** Blocks like a remote call would. */
  public RegisterDay importDay(int register, LocalDate day) throws InterruptedException {
    imports.incrementAndGet();
    Thread.sleep(latency.toMillis());
    Random random = new Random(register * 31L + day.toEpochDay());
    List<Sale> sales = new ArrayList<>();
    LocalTime at = LocalTime.of(8, 0);
    for (int i = 0; i < 50 + random.nextInt(50); i++) {
      at = at.plusSeconds(60 + random.nextInt(600));
      sales.add(new Sale(at, ITEMS[random.nextInt(ITEMS.length)], 100 + random.nextInt(900)));
    }
    return RegisterDay.of(register, day, sales);
  }

  public int imports() {
    return imports.get();
  }
}
