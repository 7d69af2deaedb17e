package io.kck.samples.springboot;

import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot web application serving a data product: {@code GET /greetings/{name}} answers the
 * product {@code greeting/<name>}, computed once (200 ms of pretend work) and then served from
 * KCK. The Primer is a bean; kck-spring-boot starts KCK with it.
 *
 * <p>Run: {@code mvn spring-boot:run}, then {@code curl localhost:8080/greetings/ada} and {@code
 * curl localhost:8080/actuator/health/readiness}.
 */
@SpringBootApplication
public class GreetingsApplication {

  /** How many times a greeting was computed (for the tests, and to see that gets are hits). */
  @Bean
  AtomicInteger computes() {
    return new AtomicInteger();
  }

  /** The data product: greeting/<name>. */
  // tag::primer-bean[]
  @Bean // every Primer bean is registered with KCK
  Primer<String> greeting(AtomicInteger computes) {
    Parameter<String> name = Parameter.ofString("name");
    return Primer.builder("greeting", String.class)
        .parameters(name)
        .compute((key, context) -> {
          computes.incrementAndGet();
          Thread.sleep(200); // stands for slow work: a query, a remote call
          return "Hello, " + key.get(name) + "!";
        })
        .build();
  }
  // end::primer-bean[]

  public static void main(String[] args) {
    SpringApplication.run(GreetingsApplication.class, args);
  }
}
