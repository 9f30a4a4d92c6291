package raft.storage.wal;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.pb.SnapshotMetadata;
import raft.pb.WalMetadata;

/**
 * Prints a WAL one record per line: {@code file offset type details}.
 * {@code --verify} then runs the real recovery against an in-memory overlay (the disk is never
 * written), prints what it would repair, and exits 1 on the first problem it finds.
 *
 * <pre>java -cp raft-core.jar raft.storage.wal.WalDump --data-dir D [--verify]</pre>
 */
public final class WalDump {

  private WalDump() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /** Returns the exit code: 0 fine, 1 corrupt, 2 usage or I/O error. */
  public static int run(String[] args, PrintStream out) {
    Path dir = null;
    boolean verify = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--verify")) {
        verify = true;
      } else if (args[i].equals("--data-dir") && i + 1 < args.length) {
        dir = Path.of(args[++i]);
      } else {
        dir = null;
        break;
      }
    }
    if (dir == null || !Files.isDirectory(dir)) {
      out.println("usage: WalDump --data-dir DIR [--verify]   (DIR must exist)");
      return 2;
    }
    try (NioWalFiles files = new NioWalFiles(dir)) {
      dump(files, out);
      return verify ? verify(files, out) : 0;
    } catch (IOException e) {
      out.println("error: " + e.getMessage());
      return 2;
    }
  }

  private static void dump(WalFiles files, PrintStream out) throws IOException {
    List<SegmentName> names = new ArrayList<>();
    for (String f : files.list()) {
      SegmentName.parse(f).ifPresent(names::add);
    }
    names.sort(null);
    for (SegmentName n : names) {
      byte[] data = files.readAll(n.file());
      out.println(n.file() + " 0 header seq=" + n.seq() + " firstIndex=" + n.firstIndex()
          + " prevTerm=" + Records.prevTerm(data) + " size=" + data.length);
      SegmentScan scan = SegmentScan.scan(data);
      for (SegmentScan.Rec r : scan.records) {
        out.println(n.file() + " " + r.offset() + " " + Records.typeName(r.type()) + " "
            + describe(r));
      }
      if (scan.problem != null) {
        out.println(n.file() + " " + scan.end + " PROBLEM " + scan.problem
            + (scan.problemLooksTorn(data) ? " (looks like a torn write)" : ""));
      }
    }
  }

  private static String describe(SegmentScan.Rec r) {
    try {
      return switch (r.type()) {
        case Records.ENTRY -> {
          Entry e = Entry.parseFrom(r.payload());
          yield "index=" + e.getIndex() + " term=" + e.getTerm() + " " + e.getType()
              + " bytes=" + e.getData().size();
        }
        case Records.HARD_STATE -> {
          HardState h = HardState.parseFrom(r.payload());
          yield "term=" + h.getTerm() + " vote=" + h.getVote() + " commit=" + h.getCommit();
        }
        case Records.SNAPSHOT, Records.SNAPSHOT_RESET -> {
          SnapshotMetadata m = SnapshotMetadata.parseFrom(r.payload());
          yield "index=" + m.getIndex() + " term=" + m.getTerm() + " voters="
              + m.getConfState().getVotersList();
        }
        case Records.METADATA -> {
          WalMetadata m = WalMetadata.parseFrom(r.payload());
          yield "member=" + Long.toUnsignedString(m.getMemberId()) + " cluster="
              + Long.toHexString(m.getClusterId());
        }
        default -> "";
      };
    } catch (InvalidProtocolBufferException e) {
      return "unparseable payload: " + e.getMessage();
    }
  }

  private static int verify(WalFiles files, PrintStream out) {
    Wal.Options options = Wal.Options.defaults().withLog(line -> out.println("note: " + line));
    try {
      Wal wal = Wal.open(new OverlayFiles(files), options);
      Wal.Recovered r = wal.recovered();
      List<Entry> es = r.entries();
      out.println("OK: snapshot index=" + r.snapshot().getIndex() + " term="
          + r.snapshot().getTerm() + ", entries " + (es.isEmpty() ? "none"
          : es.get(0).getIndex() + ".." + es.get(es.size() - 1).getIndex())
          + ", hard state term=" + r.hardState().getTerm() + " vote=" + r.hardState().getVote()
          + " commit=" + r.hardState().getCommit() + ", owner "
          + wal.identity().map(Object::toString).orElse("not recorded"));
      return 0;
    } catch (WalCorruptException e) {
      out.println("FAIL: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      out.println("error: " + e.getMessage());
      return 2;
    }
  }
}
