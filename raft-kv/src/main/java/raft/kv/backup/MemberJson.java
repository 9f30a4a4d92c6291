package raft.kv.backup;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import raft.kv.api.etcdserverpb.Member;

/**
 * A member as etcd 3.4's membership store keeps it in the "members" bucket: Go's encoding/json
 * of its {@code Member} struct, {@code {"id":N,"peerURLs":[...],"isLearner":true,"name":"..",
 * "clientURLs":[...]}}, with isLearner, name and clientURLs left out when empty (omitempty).
 */
final class MemberJson {
  private MemberJson() {}

  static byte[] of(Member m) {
    StringWriter out = new StringWriter();
    try (JsonWriter w = new JsonWriter(out)) {
      w.setHtmlSafe(true); // Go escapes <, > and & too
      w.beginObject();
      w.name("id").value(new BigInteger(Long.toUnsignedString(m.getID())));
      w.name("peerURLs");
      if (m.getPeerURLsCount() == 0) {
        w.setSerializeNulls(true);
        w.nullValue(); // Go's nil slice
      } else {
        w.beginArray();
        for (String u : m.getPeerURLsList()) {
          w.value(u);
        }
        w.endArray();
      }
      if (m.getIsLearner()) {
        w.name("isLearner").value(true);
      }
      if (!m.getName().isEmpty()) {
        w.name("name").value(m.getName());
      }
      if (m.getClientURLsCount() > 0) {
        w.name("clientURLs").beginArray();
        for (String u : m.getClientURLsList()) {
          w.value(u);
        }
        w.endArray();
      }
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }
}
