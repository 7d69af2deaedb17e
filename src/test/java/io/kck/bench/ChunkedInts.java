package io.kck.bench;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * An append-only sequence of numbers that an augment extends without copying it: the example of
 * a value type that makes large products cheap to augment (docs/concepts.md, Augment).
 *
 * <p>An augment function must not change the value it is given (readers share it) and returns a
 * new one. Copying a 1,000,000-element array for each delta costs milliseconds and a 4 MB
 * allocation; this value instead keeps its numbers in full chunks of {@value #CHUNK} that every
 * later version shares, plus a short tail. Appending copies the tail (at most {@value #CHUNK}
 * numbers) and, once a chunk fills, the array of chunk references (one per {@value #CHUNK}
 * numbers): microseconds at a million. Immutable; the journal stores it as a plain array of
 * numbers, so only a snapshot or a full value pays for the whole.
 */
public final class ChunkedInts {
  static final int CHUNK = 1024;

  private final int[][] chunks; // each full, never written once shared
  private final int[] tail; // shorter than a chunk

  private ChunkedInts(int[][] chunks, int[] tail) {
    this.chunks = chunks;
    this.tail = tail;
  }

  /** The sequence of {@code numbers} (copied). */
  @JsonCreator
  public static ChunkedInts of(int[] numbers) {
    int full = numbers.length / CHUNK;
    int[][] chunks = new int[full][];
    for (int i = 0; i < full; i++) {
      chunks[i] = Arrays.copyOfRange(numbers, i * CHUNK, (i + 1) * CHUNK);
    }
    return new ChunkedInts(chunks, Arrays.copyOfRange(numbers, full * CHUNK, numbers.length));
  }

  /** This sequence and then {@code number}; this one is unchanged. */
  public ChunkedInts append(int number) {
    int[] longer = Arrays.copyOf(tail, tail.length + 1);
    longer[tail.length] = number;
    if (longer.length < CHUNK) {
      return new ChunkedInts(chunks, longer);
    }
    int[][] more = Arrays.copyOf(chunks, chunks.length + 1);
    more[chunks.length] = longer;
    return new ChunkedInts(more, new int[0]);
  }

  public int size() {
    return chunks.length * CHUNK + tail.length;
  }

  public int get(int index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException("index " + index + " of a sequence of " + size());
    }
    int chunk = index / CHUNK;
    return chunk < chunks.length ? chunks[chunk][index % CHUNK] : tail[index - chunks.length * CHUNK];
  }

  /** Every number, in order: how the journal stores it. */
  @JsonValue
  public int[] toArray() {
    int[] all = new int[size()];
    for (int i = 0; i < chunks.length; i++) {
      System.arraycopy(chunks[i], 0, all, i * CHUNK, CHUNK);
    }
    System.arraycopy(tail, 0, all, chunks.length * CHUNK, tail.length);
    return all;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ChunkedInts that && Arrays.equals(toArray(), that.toArray());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toArray());
  }

  @Override
  public String toString() {
    return "ChunkedInts[" + size() + " numbers]";
  }
}
