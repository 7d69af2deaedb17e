package io.kck.spring;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The Spring properties of KCK's integration: where KCK's HOCON configuration comes from and what
 * its ActorSystem is called. KCK's own settings stay in HOCON ({@code kck.*} of {@code
 * application.conf} over the jars' {@code reference.conf}).
 */
@ConfigurationProperties("kck.spring")
public class KckProperties {
  /**
   * Where the HOCON configuration is: empty (the default) for Typesafe Config's usual {@code
   * application.conf} (and {@code -Dconfig.file}, system properties); or a Spring resource location,
   * {@code classpath:cache.conf} or {@code file:/etc/app/cache.conf}, read in its place (over the jars'
   * {@code reference.conf}, under system properties; {@code include "application"} in it layers
   * it over {@code application.conf}).
   */
  private String config = "";

  /** The name of the ActorSystem the integration starts (every node of a cluster: the same). */
  private String systemName = "kck";

  /** How long a health check waits for KCK's readiness checks (the shard region, the database probe). */
  private Duration healthTimeout = Duration.ofSeconds(1);

  public String getConfig() {
    return config;
  }

  public void setConfig(String config) {
    this.config = config;
  }

  public String getSystemName() {
    return systemName;
  }

  public void setSystemName(String systemName) {
    this.systemName = systemName;
  }

  public Duration getHealthTimeout() {
    return healthTimeout;
  }

  public void setHealthTimeout(Duration healthTimeout) {
    this.healthTimeout = healthTimeout;
  }
}
