package raft.kv.cli;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import raft.kv.api.etcdserverpb.DeleteRangeResponse;
import raft.kv.api.etcdserverpb.LeaseGrantResponse;
import raft.kv.api.etcdserverpb.LeaseKeepAliveResponse;
import raft.kv.api.etcdserverpb.LeaseLeasesResponse;
import raft.kv.api.etcdserverpb.LeaseStatus;
import raft.kv.api.etcdserverpb.LeaseTimeToLiveResponse;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.api.etcdserverpb.MemberListResponse;
import raft.kv.api.etcdserverpb.PutResponse;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.ResponseOp;
import raft.kv.api.etcdserverpb.StatusResponse;
import raft.kv.api.etcdserverpb.TxnResponse;
import raft.kv.api.mvccpb.Event;
import raft.kv.api.mvccpb.KeyValue;
import raft.kv.client.Table;

/**
 * etcdctl 3.4's "simple" and "table" output formats, as pure functions from responses to text
 * (each line ends in '\n'), so a student can put our output beside etcdctl's.
 */
public final class Printer {
  private Printer() {}

  /** etcdctl prints the key (unless value-only), then the value, each on its own line. */
  public static String kv(KeyValue kv, boolean valueOnly) {
    String v = kv.getValue().toStringUtf8() + "\n";
    return valueOnly ? v : kv.getKey().toStringUtf8() + "\n" + v;
  }

  public static String put(PutResponse r) {
    return "OK\n" + (r.hasPrevKv() ? kv(r.getPrevKv(), false) : "");
  }

  /** With --keys-only the server sends empty values, so etcdctl 3.4 prints a blank line each. */
  public static String get(RangeResponse r, boolean valueOnly) {
    StringBuilder b = new StringBuilder();
    for (KeyValue kv : r.getKvsList()) {
      b.append(kv(kv, valueOnly));
    }
    return b.toString();
  }

  public static String del(DeleteRangeResponse r) {
    StringBuilder b = new StringBuilder().append(r.getDeleted()).append('\n');
    for (KeyValue kv : r.getPrevKvsList()) {
      b.append(kv(kv, false));
    }
    return b.toString();
  }

  /** SUCCESS or FAILURE, then a blank line before each op's own output. */
  public static String txn(TxnResponse r) {
    StringBuilder b = new StringBuilder(r.getSucceeded() ? "SUCCESS\n" : "FAILURE\n");
    for (ResponseOp op : r.getResponsesList()) {
      b.append('\n');
      switch (op.getResponseCase()) {
        case RESPONSE_PUT -> b.append(put(op.getResponsePut()));
        case RESPONSE_RANGE -> b.append(get(op.getResponseRange(), false));
        case RESPONSE_DELETE_RANGE -> b.append(del(op.getResponseDeleteRange()));
        case RESPONSE_TXN -> b.append(txn(op.getResponseTxn()));
        default -> b.append("unexpected response ").append(op).append('\n');
      }
    }
    return b.toString();
  }

  /** One event: its type, the previous key-value when asked for, then the key-value. */
  public static String event(Event e) {
    return e.getType().name() + "\n" + (e.hasPrevKv() ? kv(e.getPrevKv(), false) : "")
        + kv(e.getKv(), false);
  }

  public static String leaseGrant(LeaseGrantResponse r) {
    return String.format("lease %s granted with TTL(%ds)%n", hex(r.getID()), r.getTTL());
  }

  public static String leaseRevoked(long id) {
    return "lease " + hex(id) + " revoked\n";
  }

  public static String keepAlive(LeaseKeepAliveResponse r) {
    return String.format("lease %s keepalived with TTL(%d)%n", hex(r.getID()), r.getTTL());
  }

  public static String timeToLive(LeaseTimeToLiveResponse r, boolean keys) {
    if (r.getTTL() == -1) {
      return "lease " + hex(r.getID()) + " already expired\n";
    }
    String s = String.format("lease %s granted with TTL(%ds), remaining(%ds)",
        hex(r.getID()), r.getGrantedTTL(), r.getTTL());
    if (keys) {
      List<String> ks = new ArrayList<>();
      for (ByteString k : r.getKeysList()) {
        ks.add(k.toStringUtf8());
      }
      s += ", attached keys(" + goList(ks) + ")";
    }
    return s + "\n";
  }

  public static String leases(LeaseLeasesResponse r) {
    StringBuilder b = new StringBuilder("found " + r.getLeasesCount() + " leases\n");
    for (LeaseStatus l : r.getLeasesList()) {
      b.append(hex(l.getID())).append('\n');
    }
    return b.toString();
  }

  private static final List<String> MEMBER_HEADER =
      List.of("ID", "STATUS", "NAME", "PEER ADDRS", "CLIENT ADDRS", "IS LEARNER");

  public static String members(MemberListResponse r, boolean table) {
    List<List<String>> rows = new ArrayList<>();
    for (Member m : r.getMembersList()) {
      rows.add(List.of(Long.toHexString(m.getID()),
          m.getName().isEmpty() ? "unstarted" : "started", m.getName(),
          String.join(",", m.getPeerURLsList()), String.join(",", m.getClientURLsList()),
          Boolean.toString(m.getIsLearner())));
    }
    return table ? Table.render(MEMBER_HEADER, rows) : simpleRows(rows);
  }

  /** One endpoint's answer to Maintenance.Status. */
  public record EndpointStatus(String endpoint, StatusResponse status) {}

  private static final List<String> STATUS_HEADER = List.of("ENDPOINT", "ID", "VERSION",
      "DB SIZE", "IS LEADER", "IS LEARNER", "RAFT TERM", "RAFT INDEX", "RAFT APPLIED INDEX",
      "ERRORS");

  public static String endpointStatus(List<EndpointStatus> all, boolean table) {
    List<List<String>> rows = new ArrayList<>();
    for (EndpointStatus e : all) {
      StatusResponse s = e.status();
      long self = s.getHeader().getMemberId();
      rows.add(List.of(e.endpoint(), Long.toHexString(self), s.getVersion(),
          humanBytes(s.getDbSize()), Boolean.toString(s.getLeader() == self),
          Boolean.toString(s.getIsLearner()), Long.toUnsignedString(s.getRaftTerm()),
          Long.toUnsignedString(s.getRaftIndex()),
          Long.toUnsignedString(s.getRaftAppliedIndex()), String.join(", ", s.getErrorsList())));
    }
    return table ? Table.render(STATUS_HEADER, rows) : simpleRows(rows);
  }

  private static String simpleRows(List<List<String>> rows) {
    StringBuilder b = new StringBuilder();
    for (List<String> row : rows) {
      b.append(String.join(", ", row)).append('\n');
    }
    return b.toString();
  }

  /** Lease ids print as 16 hex digits, as etcdctl's %016x. */
  public static String hex(long id) {
    return String.format("%016x", id);
  }

  /** Go's %v of a []string: {@code [a b c]}. */
  static String goList(List<String> items) {
    return "[" + String.join(" ", items) + "]";
  }

  /** go-humanize's Bytes (SI units), which etcdctl uses for DB SIZE: "25 kB". */
  public static String humanBytes(long n) {
    if (n < 10) {
      return n + " B";
    }
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    int e = (int) Math.floor(Math.log(n) / Math.log(1000));
    double val = Math.floor(n / Math.pow(1000, e) * 10 + 0.5) / 10;
    // Go's %.0f rounds an exact half to even (20.5 -> "20"); Java's %.0f rounds it up. The
    // double's exact value, rounded half-even, is what Go prints.
    java.math.BigDecimal shown = new java.math.BigDecimal(val)
        .setScale(val < 10 ? 1 : 0, java.math.RoundingMode.HALF_EVEN);
    return shown.toPlainString() + " " + units[e];
  }

  /** Go's time.Duration String() for the "took = ..." of endpoint health. */
  public static String goDuration(long nanos) {
    if (nanos < 1_000) {
      return nanos + "ns";
    }
    if (nanos < 1_000_000) {
      return trim(nanos / 1e3, 3) + "µs";
    }
    if (nanos < 1_000_000_000) {
      return trim(nanos / 1e6, 6) + "ms";
    }
    return trim(nanos / 1e9, 9) + "s";
  }

  private static String trim(double v, int decimals) {
    String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
