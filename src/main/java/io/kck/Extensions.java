package io.kck;

import com.typesafe.config.Config;
import io.kck.primer.Primer;
import io.kck.primer.PrimerSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts named in configuration rather than in code: primer sources ({@code
 * kck.primer-sources}) and extensions ({@code kck.extensions}). Loaded by class name, so that the
 * facade needs none of them to compile.
 */
final class Extensions {
  private Extensions() {}

  static List<Primer<?>> primerSources(Config config) {
    List<Primer<?>> primers = new ArrayList<>();
    for (String className : config.getStringList("kck.primer-sources")) {
      primers.addAll(instantiate("kck.primer-sources", className, PrimerSource.class).primers(config));
    }
    return primers;
  }

  static void start(Kck kck) {
    for (String className : kck.system().settings().config().getStringList("kck.extensions")) {
      instantiate("kck.extensions", className, KckExtension.class).started(kck);
    }
  }

  /**
   * Starts {@code className}, an extension KCK starts on every node whatever {@code kck.extensions}
   * says, named rather than called so that the facade does not depend on its package.
   */
  static void start(String className, Kck kck) {
    instantiate("KCK's own extensions", className, KckExtension.class).started(kck);
  }

  private static <T> T instantiate(String setting, String className, Class<T> type) {
    try {
      Class<?> found = Class.forName(className, true, Extensions.class.getClassLoader());
      if (!type.isAssignableFrom(found)) {
        throw new IllegalArgumentException(setting + ": " + className + " is not a " + type.getName());
      }
      return type.cast(found.getDeclaredConstructor().newInstance());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(setting + ": cannot create " + className + ": " + e, e);
    }
  }
}
