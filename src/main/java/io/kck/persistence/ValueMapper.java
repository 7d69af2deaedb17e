package io.kck.persistence;

import akka.actor.typed.ActorSystem;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * The ObjectMapper KCK reads and writes values with ({@code akka.serialization.jackson.kck-values},
 * where applications add their Jackson modules).
 *
 * <p>Stored values are KCK's own data: a primer computed them, or the HTTP layer already parsed
 * them under its strict limits before they were put. Jackson 2.15 and later apply read and write
 * limits (1,000 levels of nesting, 1,000-digit numbers, 20 MB strings) to every parser; this
 * mapper lifts them, so a value that was stored before those limits existed still reads back.
 * Whatever parses text from outside (the HTTP service) makes a copy with limits of its own.
 */
public final class ValueMapper {
  private ValueMapper() {}

  /** The values mapper of {@code system}, without Jackson's default read and write limits. */
  public static ObjectMapper of(ActorSystem<?> system) {
    ObjectMapper mapper = JacksonObjectMapperProvider.get(system).getOrCreate("kck-values", Optional.empty());
    synchronized (mapper) {
      if (mapper.getFactory().streamReadConstraints().getMaxNumberLength() != Integer.MAX_VALUE) {
        mapper.getFactory()
            .setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(Integer.MAX_VALUE)
                .maxNumberLength(Integer.MAX_VALUE)
                .maxStringLength(Integer.MAX_VALUE)
                .maxNameLength(Integer.MAX_VALUE)
                .build())
            .setStreamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build());
      }
    }
    return mapper;
  }
}
