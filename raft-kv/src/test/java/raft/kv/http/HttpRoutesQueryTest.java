package raft.kv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** /health's query as etcd (Go's url.ParseQuery) reads it. */
class HttpRoutesQueryTest {

  @Test
  void repeatedExcludesAndSerializable() {
    assertEquals(new HttpRoutes.Query(true, Set.of("NOSPACE", "CORRUPT")),
        HttpRoutes.Query.parse("exclude=NOSPACE&serializable=true&exclude=CORRUPT"));
  }

  @Test
  void aPairThatCannotBeDecodedIsSkippedNotAnError() {
    // Go skips "%zz" and keeps the rest: etcd answers such a check, it does not fail it (500).
    assertEquals(new HttpRoutes.Query(true, Set.of()),
        HttpRoutes.Query.parse("exclude=%zz&serializable=true"));
  }
}
