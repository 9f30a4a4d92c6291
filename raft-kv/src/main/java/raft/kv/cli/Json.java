package raft.kv.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * etcdctl's {@code -w json}: Go's encoding/json over etcd's structs. That differs from
 * protobuf's canonical JSON, so it is written here: proto field names as they are
 * ({@code cluster_id}, {@code peerURLs}), default values left out (omitempty), 64-bit numbers
 * as bare numbers (uint64 unsigned), bytes as base64, enums as their numbers.
 */
public final class Json {
  private Json() {}

  public static String of(MessageOrBuilder m) {
    StringBuilder b = new StringBuilder();
    message(b, m);
    return b.toString();
  }

  private static void message(StringBuilder b, MessageOrBuilder m) {
    b.append('{');
    boolean first = true;
    for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      string(b, f.getKey().getName());
      b.append(':');
      if (f.getKey().isRepeated()) {
        b.append('[');
        List<?> items = (List<?>) f.getValue();
        for (int i = 0; i < items.size(); i++) {
          b.append(i == 0 ? "" : ",");
          value(b, f.getKey(), items.get(i));
        }
        b.append(']');
      } else {
        value(b, f.getKey(), f.getValue());
      }
    }
    b.append('}');
  }

  private static void value(StringBuilder b, FieldDescriptor f, Object v) {
    switch (f.getType()) {
      case UINT64, FIXED64 -> b.append(Long.toUnsignedString((Long) v));
      case UINT32, FIXED32 -> b.append(Integer.toUnsignedString((Integer) v));
      case BYTES -> string(b, Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
      case STRING -> string(b, (String) v);
      case ENUM -> b.append(((EnumValueDescriptor) v).getNumber());
      case MESSAGE, GROUP -> message(b, (MessageOrBuilder) v);
      default -> b.append(v); // signed ints, bool, floating point
    }
  }

  static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            b.append(String.format("\\u%04x", (int) c)); // Go escapes HTML characters too
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
