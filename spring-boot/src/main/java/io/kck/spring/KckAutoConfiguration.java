package io.kck.spring;

import akka.actor.typed.ActorSystem;
import io.kck.Kck;
import io.kck.primer.Primer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ResourceLoader;

/**
 * KCK in a Spring Boot application: an ActorSystem from the application's HOCON configuration
 * (unless the application has one), {@link Kck} started on it with every {@link Primer} bean,
 * recording its meters into the application's {@link MeterRegistry} (when there is one), and both
 * stopped with the context. {@code kck.spring.enabled=false} turns it off.
 */
@AutoConfiguration(afterName = {
    // The application's MeterRegistry, when Micrometer's auto-configuration makes one.
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnBooleanProperty(name = "kck.spring.enabled", matchIfMissing = true)
@EnableConfigurationProperties(KckProperties.class)
public class KckAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(ActorSystem.class)
  KckActorSystem kckActorSystem(KckProperties properties, ResourceLoader resources) {
    return new KckActorSystem(properties, resources);
  }

  /** The integration's ActorSystem; stopped by {@link KckActorSystem}, not by Spring's inferred close. */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean(ActorSystem.class)
  ActorSystem<Void> kckSystem(KckActorSystem kckActorSystem) {
    return kckActorSystem.system();
  }

  /**
   * KCK on the application's ActorSystem with every Primer bean, meters into the application's
   * MeterRegistry. Blocks until KCK's database answers, so a context that starts has a working KCK.
   */
  @Bean
  @ConditionalOnMissingBean
  Kck kck(ActorSystem<?> system, ObjectProvider<Primer<?>> primers, ObjectProvider<MeterRegistry> registry) {
    List<Primer<?>> all = primers.orderedStream().toList();
    Kck.Builder builder = Kck.builder(system).primers(all);
    MeterRegistry meters = registry.getIfUnique();
    if (meters != null) {
      builder.meterRegistry(meters);
    }
    return builder.start();
  }
}
