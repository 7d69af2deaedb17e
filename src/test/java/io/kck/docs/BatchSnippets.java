package io.kck.docs;

import static io.kck.docs.RegisterSales.DAY;
import static io.kck.docs.RegisterSales.REGISTER;

import io.kck.Kck;
import io.kck.KeyResult;
import io.kck.primer.Key;
import io.kck.primer.Primer;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The batch compute of docs/use-it.md, compiled so that the page cannot name an API that is not there. */
final class BatchSnippets {
  private BatchSnippets() {}

  /** A source that imports a whole day, every register at once. */
  interface DayImport {
    Map<Integer, DaySales> registersOf(LocalDate day) throws Exception;
  }

  static List<KeyResult<DaySales>> batchCompute(Kck kck, DayImport source) {
    // tag::batch-compute[]
    Primer<DaySales> registerDays = Primer.builder("register-day", DaySales.class)
        .parameters(REGISTER, DAY)
        .computeAll(batch -> {
          // One import per day for all the batch's registers of that day, not one per key.
          Map<LocalDate, List<Key<DaySales>>> byDay = batch.keys().stream()
              .collect(Collectors.groupingBy(key -> key.get(DAY)));
          for (Map.Entry<LocalDate, List<Key<DaySales>>> day : byDay.entrySet()) {
            Map<Integer, DaySales> imported = source.registersOf(day.getKey());
            for (Key<DaySales> key : day.getValue()) {
              DaySales sales = imported.get(key.get(REGISTER));
              if (sales != null) {
                batch.complete(key, sales);
              } else { // this key fails alone, with its own error; the others are stored
                batch.fail(key, new NoSuchElementException("no sales of register " + key.get(REGISTER)));
              }
            }
          }
        })
        .batchSize(200) // or kck.primers."register-day".batch-size; default kck.batch.size
        .build();

    // After Kck.start(system, registerDays, ...): 50 cold keys, one call of computeAll.
    List<Key<DaySales>> keys = IntStream.rangeClosed(1, 50)
        .mapToObj(register -> registerDays.key(register, LocalDate.of(2026, 12, 7))).toList();
    List<KeyResult<DaySales>> day = kck.getAll(keys).toCompletableFuture().join();
    // end::batch-compute[]
    return day;
  }
}
