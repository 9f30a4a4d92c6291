package raft.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SegmentNameTest {
  @Test
  void namesAreZeroPaddedAndParseBack() {
    SegmentName n = new SegmentName(3, 41);
    assertEquals("0000000000000003-0000000000000041.wal", n.file());
    assertEquals(Optional.of(n), SegmentName.parse(n.file()));
    SegmentName big = new SegmentName(1234567890123456L, 9999999999999999L);
    assertEquals("1234567890123456-9999999999999999.wal", big.file());
    assertTrue(SegmentName.parse("3-41.wal").isEmpty(), "unpadded names are not segments");
  }
}
