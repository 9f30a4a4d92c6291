package raft.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InflightsTest {

  @Test
  @DisplayName("an empty window is not full and freeing it is a no-op")
  void empty() {
    Inflights in = new Inflights(3, 0);
    assertEquals(0, in.count());
    assertFalse(in.full());
    in.freeLE(100);
    assertEquals(0, in.count());
  }

  @Test
  @DisplayName("the window is full after `capacity` appends and refuses another")
  void fullByCount() {
    Inflights in = new Inflights(3, 0);
    in.add(1, 10);
    in.add(2, 10);
    assertFalse(in.full());
    in.add(3, 10);
    assertTrue(in.full());
    assertEquals(3, in.count());
    assertThrows(IllegalStateException.class, () -> in.add(4, 10));
    assertEquals(3, in.count());
  }

  @Test
  @DisplayName("freeLE frees exactly the appends whose last index is <= to, oldest first")
  void freeLE() {
    Inflights in = new Inflights(5, 0);
    in.add(3, 1);
    in.add(5, 1);
    in.add(9, 1);
    in.freeLE(2); // below the oldest: nothing acknowledged
    assertEquals(3, in.count());
    in.freeLE(4); // frees 3 only; 5 is still in flight
    assertEquals(2, in.count());
    in.freeLE(5);
    assertEquals(1, in.count());
    in.freeLE(4); // a stale, smaller acknowledgement frees nothing more
    assertEquals(1, in.count());
    in.freeLE(100);
    assertEquals(0, in.count());
  }

  @Test
  @DisplayName("the ring buffer wraps around and keeps FIFO order")
  void wrapAround() {
    Inflights in = new Inflights(3, 0);
    in.add(1, 1);
    in.add(2, 1);
    in.add(3, 1);
    in.freeLE(2);
    assertEquals(1, in.count());
    in.add(4, 1); // these two wrap to the start of the buffer
    in.add(5, 1);
    assertTrue(in.full());
    in.freeLE(3);
    assertEquals(2, in.count());
    assertFalse(in.full());
    in.freeLE(4);
    assertEquals(1, in.count());
    in.add(6, 1);
    in.add(7, 1);
    assertTrue(in.full());
    in.freeLE(6);
    assertEquals(1, in.count());
    in.freeLE(7);
    assertEquals(0, in.count());
  }

  @Test
  @DisplayName("the window is full once the bytes in flight reach maxBytes")
  void fullByBytes() {
    Inflights in = new Inflights(10, 100);
    in.add(1, 60);
    assertFalse(in.full());
    in.add(2, 40);
    assertTrue(in.full(), "100 of 100 bytes in flight");
    in.freeLE(1);
    assertFalse(in.full(), "40 of 100 bytes in flight");
    in.add(3, 59);
    assertFalse(in.full(), "99 of 100 bytes in flight");
    in.add(4, 1);
    assertTrue(in.full());
    assertEquals(3, in.count());
  }

  @Test
  @DisplayName("one append larger than maxBytes may be sent into an empty window")
  void oversizedSingleAppend() {
    Inflights in = new Inflights(10, 100);
    assertFalse(in.full());
    in.add(1, 500);
    assertTrue(in.full());
    in.freeLE(1);
    assertFalse(in.full());
    assertEquals(0, in.count());
  }

  @Test
  @DisplayName("maxBytes = 0 means no byte limit")
  void noByteLimit() {
    Inflights in = new Inflights(2, 0);
    in.add(1, 1L << 40);
    assertFalse(in.full());
    in.add(2, 1L << 40);
    assertTrue(in.full()); // by count
  }

  @Test
  @DisplayName("bytes are freed from the right slots after the buffer wraps")
  void bytesAfterWrap() {
    Inflights in = new Inflights(3, 100);
    in.add(1, 50);
    in.add(2, 30);
    in.add(3, 10);
    in.freeLE(2); // 10 bytes left, in slot 2
    in.add(4, 80); // slot 0: 90 bytes
    assertFalse(in.full());
    in.add(5, 10); // slot 1: 100 bytes
    assertTrue(in.full());
    in.freeLE(4); // frees 3 (10) and 4 (80): 10 left
    assertEquals(1, in.count());
    assertFalse(in.full());
    in.add(6, 89);
    assertFalse(in.full(), "99 of 100 bytes in flight");
  }

  @Test
  @DisplayName("reset empties the window, including its byte count")
  void reset() {
    Inflights in = new Inflights(3, 100);
    in.add(1, 60);
    in.add(2, 40);
    assertTrue(in.full());
    in.reset();
    assertEquals(0, in.count());
    assertFalse(in.full());
    in.add(7, 99);
    assertFalse(in.full(), "the 100 bytes freed by reset no longer count");
    in.add(8, 0);
    in.add(9, 0);
    assertTrue(in.full());
  }
}
