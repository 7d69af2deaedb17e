package io.kck.persistence;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Where a value's JSON is written when it may be too large to keep: the bytes up to a bound are
 * kept, and past it only counted, so that a value of hundreds of megabytes is measured (for the
 * error that names its size) without being held in memory. Not thread-safe; one per encoding.
 */
final class BoundedJson extends OutputStream {
  private final long max;
  private byte[] kept = new byte[256];
  private long length;

  BoundedJson(long max) {
    this.max = max;
  }

  @Override
  public void write(int b) {
    if (length < max) {
      room(1);
      kept[(int) length] = (byte) b;
    }
    length++;
  }

  @Override
  public void write(byte[] bytes, int offset, int count) {
    if (length + count <= max) {
      room(count);
      System.arraycopy(bytes, offset, kept, (int) length, count);
    } else {
      kept = null; // past the bound: nothing kept is of use any more
    }
    length += count;
  }

  /** Every byte written, kept or not. */
  long length() {
    return length;
  }

  /** The JSON, when it stayed within the bound. */
  byte[] bytes() {
    return Arrays.copyOf(kept, (int) length);
  }

  private void room(int more) {
    if (kept == null) {
      return;
    }
    long needed = length + more;
    if (needed > kept.length) {
      kept = Arrays.copyOf(kept, (int) Math.min(max, Math.max(needed, 2L * kept.length)));
    }
  }
}
