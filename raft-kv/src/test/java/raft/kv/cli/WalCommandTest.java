package raft.kv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.main.CliRun;
import raft.pb.Entry;
import raft.pb.HardState;
import raft.storage.wal.Wal;

/** raftkv wal dump/verify over a member's data dir ({@code <data-dir>/wal}). */
class WalCommandTest {
  @TempDir Path dataDir;

  private void writeWal(Path walDir) throws IOException {
    try (Wal w = Wal.open(walDir, Wal.Options.defaults())) {
      w.save(HardState.newBuilder().setTerm(3).setVote(1).setCommit(2).build(),
          List.of(entry(1), entry(2)), true);
    }
  }

  private static Entry entry(long index) {
    return Entry.newBuilder().setIndex(index).setTerm(3).setData(ByteString.copyFromUtf8("x"))
        .build();
  }

  @Test
  void dumpAndVerifyReadTheMembersWalDirectory() throws IOException {
    writeWal(dataDir.resolve("wal"));
    CliRun dump = CliRun.run("wal", "dump", "--data-dir", dataDir.toString());
    assertEquals(0, dump.exit(), dump.err());
    assertTrue(dump.out().contains("entry index=2 term=3"), dump.out());
    assertTrue(dump.out().contains("hardstate term=3 vote=1 commit=2"), dump.out());
    CliRun verify = CliRun.run("wal", "verify", "--data-dir", dataDir.toString());
    assertEquals(0, verify.exit(), verify.err());
    assertTrue(verify.out().contains("OK: snapshot index=0 term=0, entries 1..2"), verify.out());
  }

  @Test
  void aBareSegmentDirectoryWorksToo() throws IOException {
    writeWal(dataDir);
    CliRun dump = CliRun.run("wal", "dump", "--data-dir", dataDir.toString());
    assertTrue(dump.out().contains("entry index=1 term=3"), dump.out());
  }

  @Test
  void aMissingDirectoryIsExitTwo() {
    CliRun r = CliRun.run("wal", "verify", "--data-dir", dataDir.resolve("nope").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("usage: WalDump"), r.err());
  }
}
