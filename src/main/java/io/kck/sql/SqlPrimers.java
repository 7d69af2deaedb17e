package io.kck.sql;

import com.typesafe.config.Config;
import io.kck.primer.Primer;
import io.kck.primer.PrimerSource;
import java.util.List;

/**
 * The primers of {@code kck.sql-primers}, registered with KCK's own (listed in {@code
 * kck.primer-sources} by KCK's reference.conf). See {@link SqlPrimer}.
 */
public final class SqlPrimers implements PrimerSource {
  @Override
  public List<Primer<?>> primers(Config config) {
    return List.copyOf(SqlPrimer.fromConfig(config));
  }
}
