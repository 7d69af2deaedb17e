package io.kck.primer;

import com.typesafe.config.Config;
import java.util.List;

/**
 * Primers defined by configuration rather than by code: named in {@code kck.primer-sources}
 * (class names, each with a public no-argument constructor), asked once by {@code Kck.start} for
 * the primers the configuration defines. KCK's SQL primers are one ({@code io.kck.sql.SqlPrimers}).
 * Called once, on the thread that starts KCK; a source that throws fails {@code Kck.start}.
 */
public interface PrimerSource {
  /**
   * The primers {@code config} defines (the whole configuration of the ActorSystem).
   *
   * @throws IllegalArgumentException naming the path of a setting that does not define a primer
   */
  List<Primer<?>> primers(Config config);
}
