package io.kck.testing;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waiting on the stages the facade returns, with a bound so a bug fails instead of hanging. */
public final class Stages {
  public static final Duration PATIENCE = Duration.ofSeconds(30);

  private Stages() {}

  public static <T> T await(CompletionStage<T> stage) {
    return await(stage, PATIENCE);
  }

  public static <T> T await(CompletionStage<T> stage, Duration patience) {
    try {
      return stage.toCompletableFuture().get(patience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("Expected a value, got " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError("No answer within " + patience, e);
    }
  }

  /** The exception {@code stage} failed with, checked to be a {@code type}. */
  public static <E extends Throwable> E failure(CompletionStage<?> stage, Class<E> type) {
    return failure(stage, type, PATIENCE);
  }

  public static <E extends Throwable> E failure(CompletionStage<?> stage, Class<E> type, Duration patience) {
    try {
      Object value = stage.toCompletableFuture().get(patience.toMillis(), TimeUnit.MILLISECONDS);
      return fail("Expected a " + type.getSimpleName() + ", got the value " + value);
    } catch (ExecutionException e) {
      return assertInstanceOf(type, e.getCause());
    } catch (Exception e) {
      throw new AssertionError("No answer within " + patience, e);
    }
  }
}
