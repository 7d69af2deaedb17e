package io.kck.docs;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import io.kck.Entry;
import io.kck.Kck;
import io.kck.KeyResult;
import io.kck.Subscription;
import io.kck.bench.ChunkedInts;
import io.kck.errors.KckException;
import io.kck.primer.Augment;
import io.kck.primer.ComputeContext;
import io.kck.primer.Freshness;
import io.kck.primer.Key;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.primer.Propagation;
import io.kck.primer.RefreshSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Java of docs/concepts.md and docs/semantics.md: compiled, each region a block of a page. */
final class ConceptSnippets {
  private static final Logger log = LoggerFactory.getLogger(ConceptSnippets.class);
  private static final Parameter<Integer> REGISTER = RegisterSales.REGISTER;

  private final Kck kck;
  private final RegisterSales registerSales;
  private final PointOfSale pointOfSale;

  ConceptSnippets(Kck kck, RegisterSales registerSales, PointOfSale pointOfSale) {
    this.kck = kck;
    this.registerSales = registerSales;
    this.pointOfSale = pointOfSale;
  }

  void keys() {
    // tag::keys[]
    Key<DaySales> key = registerSales.key(7, LocalDate.of(2026, 11, 2));
    String text = key.text();                                // "register-sales/7/2026-11-02"
    Key<?> same = kck.key("register-sales/07/2026-11-02");   // parsed and formatted again: the same key
    Object untyped = kck.blocking().get("register-sales/7/2026-11-02"); // by text: the same value, untyped
    // end::keys[]
  }

  void operations(Key<DaySales> key, DaySales imported, long version) {
    // tag::operations[]
    kck.get(key);            // the value: at once when fresh, else computed (once, however many ask)
    kck.getEntry(key);       // the value with its version, computedAt, stale, ...
    kck.getIfPresent(key);   // Optional.empty() when the key has no value; never computes
    kck.refresh(key);        // recompute now; answers the new value
    kck.invalidate(key);     // drop the value; the next get computes
    kck.put(key, imported);  // store a value you already have
    kck.put(key, imported, version); // only if the key is still at that version
    // end::operations[]
  }

  void entry(Key<DaySales> key) {
    // tag::entry[]
    Entry<DaySales> entry = kck.blocking().getEntry(key);
    long version = entry.version();          // goes up with every new value of the key: an ETag
    Instant computedAt = entry.computedAt(); // when it was computed (or put)
    boolean stale = entry.stale();           // older than its freshness allows (see below)
    String lastError = entry.lastError();    // null, or why the last refresh failed
    // end::entry[]
  }

  /** A register's live sales: re-imported every five minutes by the key's own timer. */
  static final class LiveSales extends Primer<DaySales> {
    private final PointOfSale pointOfSale;

    LiveSales(PointOfSale pointOfSale) {
      super("live-sales", DaySales.class, RegisterSales.REGISTER, RegisterSales.DAY);
      this.pointOfSale = pointOfSale;
    }

    @Override
    public DaySales compute(Key<DaySales> key, ComputeContext<DaySales> context) throws Exception {
      return pointOfSale.importDay(key.get(RegisterSales.REGISTER), key.get(RegisterSales.DAY));
    }

    // tag::freshness[]
    @Override
    public Freshness freshness() {
      return Freshness.periodic(Duration.ofMinutes(5), Duration.ofSeconds(30)); // every 5 min, plus up to 30 s
    }
    // end::freshness[]

    // tag::warm-keys[]
    @Override
    public List<Key<DaySales>> warmKeys() {
      LocalDate today = LocalDate.now();
      return List.of(key(1, today), key(2, today)); // computed at start-up and kept fresh with nobody asking
    }
    // end::warm-keys[]
  }

  void keepWarm(Key<DaySales> key) {
    // tag::keep-warm[]
    kck.keepWarm(key);         // from now on refreshed by its primer's policy, also after a restart
    kck.stopKeepingWarm(key);  // no longer
    // end::keep-warm[]
  }

  /** A store's totals with its inputs declared up front, recomputed on the next get after they change. */
  static final class LazyStoreTotals extends Primer<StoreSales> {
    LazyStoreTotals() {
      super("lazy-store-totals", StoreSales.class, RegisterSales.REGISTER, RegisterSales.DAY);
    }

    @Override
    public StoreSales compute(Key<StoreSales> key, ComputeContext<StoreSales> context) {
      DaySales day = (DaySales) context.get("register-sales/" + key.get(RegisterSales.REGISTER) + "/" + key.get(RegisterSales.DAY));
      return new StoreSales(0, day.day(), day.sales(), day.totalCents());
    }

    // tag::depends-on[]
    @Override
    public List<String> dependsOn() {
      return List.of("register-sales/{register}/{day}"); // read before every compute, filled in from the key
    }
    // end::depends-on[]

    // tag::propagation[]
    @Override
    public Propagation propagation() {
      return Propagation.LAZY; // on an input's change: mark outdated, recompute on the next get
    }
    // end::propagation[]
  }

  void subscribe(Key<DaySales> key) {
    // tag::subscribe[]
    Subscription subscription = kck.subscribe(key, entry -> log.info("{} is at version {}", entry.key(), entry.version()));
    Source<Entry<DaySales>, NotUsed> updates = kck.updates(key); // the same, as an Akka Streams Source
    subscription.close();
    // end::subscribe[]
  }

  /** Register sales that take sales as deltas. */
  static final class AugmentedRegisterSales extends Primer<DaySales> {
    AugmentedRegisterSales() {
      super("augmented-register-sales", DaySales.class, RegisterSales.REGISTER, RegisterSales.DAY);
    }

    @Override
    public DaySales compute(Key<DaySales> key, ComputeContext<DaySales> context) {
      return new DaySales(key.get(RegisterSales.REGISTER), key.get(RegisterSales.DAY), 0, 0);
    }

    // tag::augment[]
    @Override
    public Optional<Augment<DaySales, ?>> augment() {
      return Optional.of(Augment.of(Sale.class, DaySales::plus)); // (day, sale) -> a new day
    }
    // end::augment[]
  }

  /** The same with a check of each delta. */
  static final class CheckedRegisterSales extends Primer<DaySales> {
    CheckedRegisterSales() {
      super("checked-register-sales", DaySales.class, RegisterSales.REGISTER, RegisterSales.DAY);
    }

    @Override
    public DaySales compute(Key<DaySales> key, ComputeContext<DaySales> context) {
      return new DaySales(key.get(RegisterSales.REGISTER), key.get(RegisterSales.DAY), 0, 0);
    }

    // tag::augment-checked[]
    @Override
    public Optional<Augment<DaySales, ?>> augment() {
      return Optional.of(Augment.of(Sale.class, DaySales::plus).validatedBy(sale -> {
        if (sale.cents() < 0) {
          throw new IllegalArgumentException("a sale of " + sale.cents() + " cents"); // InvalidValueException
        }
      }));
    }
    // end::augment-checked[]
  }

  void augmentCalls(Key<DaySales> key) {
    // tag::augment-calls[]
    long version = kck.blocking().augment(key, new Sale(LocalTime.of(18, 0), "tea", 250)); // the new version
    kck.blocking().augment(key, new Sale(LocalTime.of(18, 5), "cake", 450), version);   // only if still at it
    // end::augment-calls[]
  }

  /** A large product that augments by sharing. */
  static final class Numbers extends Primer<ChunkedInts> {
    Numbers() {
      super("numbers", ChunkedInts.class);
    }

    @Override
    public ChunkedInts compute(Key<ChunkedInts> key, ComputeContext<ChunkedInts> context) {
      return ChunkedInts.of(new int[0]);
    }

    // tag::chunked[]
    @Override
    public Optional<Augment<ChunkedInts, ?>> augment() {
      return Optional.of(Augment.of(Integer.class, ChunkedInts::append)); // shares every full chunk
    }
    // end::chunked[]
  }

  void bulk(LocalDate day) {
    // tag::bulk[]
    List<KeyResult<DaySales>> results = kck.blocking().getAll(List.of(registerSales.key(1, day), registerSales.key(2, day)));
    for (KeyResult<DaySales> result : results) {
      if (result.ok()) {
        log.info("{}: {}", result.key(), result.entry().value());
      } else {
        log.warn("{} failed: {}", result.key(), result.error().kind()); // this key alone; the others are answered
      }
    }
    // end::bulk[]
  }

  /** A product only a put, a refresh or a warm-up makes. */
  static final class Imported extends Primer<DaySales> {
    Imported() {
      super("imported-sales", DaySales.class, RegisterSales.REGISTER, RegisterSales.DAY);
    }

    @Override
    public DaySales compute(Key<DaySales> key, ComputeContext<DaySales> context) {
      throw new UnsupportedOperationException("put only");
    }

    // tag::compute-on-miss[]
    @Override
    public boolean computeOnMiss() {
      return false; // a get of a key without a value fails at once with NotCachedException
    }
    // end::compute-on-miss[]
  }

  void hooks() {
    // tag::hooks[]
    Subscription audit = kck.addHook(registerSales,
        event -> log.info("{} {} {} v{}", event.action(), event.phase(), event.key(), event.version()));
    // end::hooks[]
    audit.close();
  }

  Primer<Long> builder() {
    // tag::builder[]
    Primer<Long> till = Primer.builder("till", Long.class)
        .parameters(REGISTER)
        .compute((key, context) -> pointOfSale.readTill(key.get(REGISTER)))
        .freshness(Freshness.alwaysFresh())
        .build();
    // end::builder[]
    return till;
  }

  Primer<DaySales> nightlyImport() {
    // tag::refresh-schedule[]
    Primer<DaySales> yesterday = Primer.builder("yesterdays-sales", DaySales.class)
        .parameters(REGISTER)
        .compute((key, context) -> pointOfSale.importDay(key.get(REGISTER), LocalDate.now().minusDays(1)))
        .warmKey(1).warmKey(2)                                        // the keys the schedule refreshes
        .refreshSchedule(RefreshSchedule.cron("0 2 * * *", ZoneId.of("Europe/Berlin")) // daily, 02:00 Berlin time
            .missedTicks(RefreshSchedule.MissedTicks.RUN_ONCE))         // every node down at 02:00: refresh at start
        .build();
    // end::refresh-schedule[]
    return yesterday;
  }

  StoreSales totalsThatStopWhenStale(Key<StoreSales> key, ComputeContext<StoreSales> context) {
    LocalDate day = key.get(StoreTotals.DAY);
    // tag::cancelled-compute[]
    long total = 0;
    for (int register : List.of(1, 2, 3)) {
      DaySales sales = context.get(registerSales.key(register, day));   // a tracked read
      if (context.isCancelled()) {
        throw new CancellationException("an input changed"); // KCK drops this result and has started a new compute
      }
      total += sales.totalCents();
    }
    // end::cancelled-compute[]
    return new StoreSales(key.get(StoreTotals.STORE), day, 3, total);
  }

  void errors(Key<DaySales> key) {
    // tag::errors[]
    try {
      DaySales sales = kck.blocking().get(key);
    } catch (KckException e) {
      switch (e.kind()) {
        case COMPUTE_FAILED, COMPUTE_TIMEOUT -> log.warn("{} could not be made: {}", e.key(), e.getMessage());
        case UNAVAILABLE, OVERLOADED -> log.warn("try {} again later", e.key());
        default -> throw e;
      }
    }
    // end::errors[]
  }

  void errorsAsync(Key<DaySales> key) {
    // tag::errors-async[]
    kck.get(key).whenComplete((sales, error) -> {
      if (error instanceof KckException failure) { // the stage fails with the KckException itself
        log.warn("{}: {}", failure.kind(), failure.getMessage());
      }
    });
    // end::errors-async[]
  }
}
