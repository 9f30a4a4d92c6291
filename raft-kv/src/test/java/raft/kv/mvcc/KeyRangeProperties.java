package raft.kv.mvcc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Our fast key comparator sorts exactly as protobuf's (and etcd's) unsigned byte order. */
class KeyRangeProperties {

  @Property(tries = 2000)
  void orderAgreesWithProtobufsUnsignedOrder(@ForAll @Size(max = 6) byte[] a,
      @ForAll @Size(max = 6) byte[] b, @ForAll @Size(max = 3) byte[] prefix) {
    // A shared prefix makes long common runs and one key a prefix of another likely.
    ByteString x = ByteString.copyFrom(prefix).concat(ByteString.copyFrom(a));
    ByteString y = ByteString.copyFrom(prefix).concat(ByteString.copyFrom(b));
    int want = Integer.signum(ByteString.unsignedLexicographicalComparator().compare(x, y));
    assertEquals(want, Integer.signum(KeyRange.ORDER.compare(x, y)), x + " vs " + y);
    assertEquals(-want, Integer.signum(KeyRange.ORDER.compare(y, x)), y + " vs " + x);
  }
}
