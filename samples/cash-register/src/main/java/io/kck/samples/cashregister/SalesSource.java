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
  private final AtomicInteger liveImports = new AtomicInteger();
  private final AtomicInteger tillReadings = new AtomicInteger();

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

  /**
   * Today's sales so far: the register keeps selling, so every import finds a few more. Fast (a
   * small query), and counted apart from the daily imports.
   */
  public RegisterDay importToday(int register, LocalDate day) {
    int n = liveImports.incrementAndGet();
    List<Sale> sales = new ArrayList<>();
    Random random = new Random(register * 17L + day.toEpochDay());
    LocalTime at = LocalTime.of(8, 0);
    for (int i = 0; i < 3 * n; i++) {
      at = at.plusSeconds(30 + random.nextInt(120));
      sales.add(new Sale(at, ITEMS[random.nextInt(ITEMS.length)], 100 + random.nextInt(900)));
    }
    return RegisterDay.of(register, day, sales);
  }

  /** The cash in a register's till now: changes with every reading. */
  public long readTill(int register) throws InterruptedException {
    Thread.sleep(50);
    return 20_000L + register * 1_000L + tillReadings.incrementAndGet() * 137L;
  }

  /** Daily imports so far. */
  public int imports() {
    return imports.get();
  }

  public int tillReadings() {
    return tillReadings.get();
  }
}
