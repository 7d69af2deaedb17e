package io.kck.spring;

import akka.actor.BootstrapSetup;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The ActorSystem the integration starts, and stops with the application context: Akka's
 * coordinated shutdown (KCK's key actors hand over and stop, the cluster member leaves, the journal's
 * connections close), then the embedded PostgreSQL when KCK started one. Not created when the
 * application defines an {@code ActorSystem} bean of its own: that one is the application's to stop.
 */
public final class KckActorSystem implements DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(KckActorSystem.class);

  private final ActorSystem<Void> system;

  KckActorSystem(KckProperties properties, ResourceLoader resources) {
    ClassLoader classLoader = resources.getClassLoader() != null ? resources.getClassLoader() : getClass().getClassLoader();
    Config config = config(properties.getConfig(), resources, classLoader);
    this.system = ActorSystem.create(Behaviors.empty(), properties.getSystemName(),
        BootstrapSetup.create(config).withClassloader(classLoader));
  }

  /** HOCON: {@code application.conf} as Typesafe Config finds it, or the resource at {@code location}. */
  static Config config(String location, ResourceLoader resources, ClassLoader classLoader) {
    if (location == null || location.isBlank()) {
      return ConfigFactory.load(classLoader);
    }
    Resource resource = resources.getResource(location);
    if (!resource.exists()) {
      throw new IllegalArgumentException("kck.spring.config: no HOCON file at " + location);
    }
    try (Reader reader = new InputStreamReader(resource.getInputStream(), StandardCharsets.UTF_8)) {
      Config file = ConfigFactory.parseReader(reader,
          ConfigParseOptions.defaults().setOriginDescription(location).setClassLoader(classLoader));
      return ConfigFactory.load(classLoader, file);
    } catch (IOException e) {
      throw new UncheckedIOException("kck.spring.config: cannot read " + location, e);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  @Override
  public void destroy() throws Exception {
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason())
        .toCompletableFuture().get(2, TimeUnit.MINUTES);
    // The embedded PostgreSQL (kck.database.embedded.stop-with-system) stops within coordinated shutdown.
    system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    log.info("KCK stopped with the application context");
  }
}
