package raft.scenario;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.stream.Collectors;
import raft.core.ReadState;
import raft.core.StateRole;
import raft.pb.Entry;
import raft.pb.EntryType;
import raft.pb.HardState;
import raft.pb.Message;
import raft.pb.MessageType;
import raft.pb.Snapshot;
import raft.pb.SnapshotMetadata;

/**
 * How protocol values are written in scenario traces. The golden files are read by people, so
 * each message type shows the fields that carry its meaning (an AppendEntries shows prevLogIndex
 * and prevLogTerm even when they are 0; a vote reply shows only term and verdict) in etcd's
 * spelling: {@code 1 -> 2 MsgApp term=1 index=1 logTerm=1 commit=1 entries=[1/2 EntryNormal "x"]},
 * where an entry is written {@code term/index type "data"}.
 */
final class TraceFormat {
  private TraceFormat() {}

  static String message(Message m) {
    String fields = switch (m.getType()) {
      case MSG_APP -> "term=" + m.getTerm() + " index=" + m.getIndex() + " logTerm="
          + m.getLogTerm() + " commit=" + m.getCommit() + entriesField(m.getEntriesList());
      case MSG_APP_RESP -> "term=" + m.getTerm() + " index=" + m.getIndex()
          + (m.getReject() ? " reject=true rejectHint=" + m.getRejectHint() + " logTerm="
              + m.getLogTerm() : "");
      case MSG_VOTE, MSG_PRE_VOTE -> "term=" + m.getTerm() + " index=" + m.getIndex()
          + " logTerm=" + m.getLogTerm() + contextField(m.getContext());
      case MSG_VOTE_RESP, MSG_PRE_VOTE_RESP -> "term=" + m.getTerm() + rejectField(m);
      case MSG_HEARTBEAT -> "term=" + m.getTerm() + " commit=" + m.getCommit()
          + roundField(m.getContext());
      case MSG_HEARTBEAT_RESP -> "term=" + m.getTerm() + roundField(m.getContext());
      case MSG_SNAP -> "term=" + m.getTerm() + " snapshot={" + snapshot(m.getSnapshot()) + "}";
      case MSG_READ_INDEX_RESP -> "term=" + m.getTerm() + " index=" + m.getIndex()
          + contextField(m.getContext());
      default -> generic(m);
    };
    return m.getFrom() + " -> " + m.getTo() + " " + typeName(m.getType())
        + (fields.isEmpty() ? "" : " " + fields.strip());
  }

  /** Every non-default field, for the message types with no dedicated layout. */
  private static String generic(Message m) {
    StringBuilder sb = new StringBuilder();
    if (m.getTerm() != 0) {
      sb.append(" term=").append(m.getTerm());
    }
    if (m.getIndex() != 0) {
      sb.append(" index=").append(m.getIndex());
    }
    if (m.getLogTerm() != 0) {
      sb.append(" logTerm=").append(m.getLogTerm());
    }
    if (m.getCommit() != 0) {
      sb.append(" commit=").append(m.getCommit());
    }
    sb.append(rejectField(m)).append(contextField(m.getContext()));
    sb.append(entriesField(m.getEntriesList()));
    return sb.toString();
  }

  private static String rejectField(Message m) {
    return m.getReject() ? " reject=true" : "";
  }

  private static String entriesField(List<Entry> ents) {
    return ents.isEmpty() ? "" : " entries=[" + entries(ents) + "]";
  }

  private static String contextField(ByteString ctx) {
    return ctx.isEmpty() ? "" : " ctx=" + quote(ctx);
  }

  /** Heartbeats carry the leader's ReadIndex round number (8 bytes, big-endian). */
  private static String roundField(ByteString ctx) {
    if (ctx.size() != Long.BYTES) {
      return contextField(ctx);
    }
    long round = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      round = (round << 8) | (ctx.byteAt(i) & 0xff);
    }
    return " round=" + round;
  }

  /** MSG_PRE_VOTE_RESP becomes MsgPreVoteResp, as etcd writes it. */
  static String typeName(MessageType t) {
    StringBuilder sb = new StringBuilder();
    for (String part : t.name().split("_")) {
      sb.append(part.charAt(0)).append(part.substring(1).toLowerCase());
    }
    return sb.toString();
  }

  static String entries(List<Entry> ents) {
    return ents.stream().map(TraceFormat::entry).collect(Collectors.joining(", "));
  }

  static String entry(Entry e) {
    String type = e.getType() == EntryType.ENTRY_CONF_CHANGE ? "EntryConfChange" : "EntryNormal";
    return e.getTerm() + "/" + e.getIndex() + " " + type + " " + quote(e.getData());
  }

  static String snapshot(Snapshot s) {
    SnapshotMetadata md = s.getMetadata();
    return "index=" + md.getIndex() + " term=" + md.getTerm() + " voters="
        + md.getConfState().getVotersList().stream().map(String::valueOf)
            .collect(Collectors.joining(",", "[", "]"));
  }

  static String hardState(HardState hs) {
    return "HardState term=" + hs.getTerm() + " vote=" + hs.getVote() + " commit="
        + hs.getCommit();
  }

  static String readState(ReadState rs) {
    return "index=" + rs.index() + " ctx=" + quote(rs.requestCtx());
  }

  static String role(StateRole r) {
    return r.name().toLowerCase().replace('_', '-');
  }

  /** Data as a quoted string; bytes that are not printable ASCII are written \xNN. */
  static String quote(ByteString b) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < b.size(); i++) {
      int c = b.byteAt(i) & 0xff;
      if (c == '"' || c == '\\') {
        sb.append('\\').append((char) c);
      } else if (c >= 0x20 && c < 0x7f) {
        sb.append((char) c);
      } else {
        sb.append(String.format("\\x%02x", c));
      }
    }
    return sb.append('"').toString();
  }
}
