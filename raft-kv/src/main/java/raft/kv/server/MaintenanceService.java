package raft.kv.server;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import raft.core.StateRole;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.AlarmResponse;
import raft.kv.api.etcdserverpb.AlarmType;
import raft.kv.api.etcdserverpb.DefragmentRequest;
import raft.kv.api.etcdserverpb.DefragmentResponse;
import raft.kv.api.etcdserverpb.HashKVRequest;
import raft.kv.api.etcdserverpb.HashRequest;
import raft.kv.api.etcdserverpb.HashResponse;
import raft.kv.api.etcdserverpb.HashKVResponse;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.api.etcdserverpb.MoveLeaderRequest;
import raft.kv.api.etcdserverpb.MoveLeaderResponse;
import raft.kv.api.etcdserverpb.SnapshotRequest;
import raft.kv.api.etcdserverpb.SnapshotResponse;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.StatusResponse;
import raft.kv.apply.Alarms;
import raft.kv.apply.ApplyResult;
import raft.kv.apply.KvStateMachine;
import raft.kv.backup.EtcdHash;
import raft.kv.backup.StateScan;
import raft.kv.mvcc.MvccStore;
import raft.kv.pb.InternalRequest;
import raft.runtime.NodeRuntime;
import raft.storage.snap.SnapshotStore;

/**
 * etcd's Maintenance service: status, alarms, hashes, leadership transfer, backups, defragment.
 */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
  /**
   * The server version we report, the one constant for Status (etcdctl's `endpoint status`
   * VERSION), HTTP /version and the etcd_server_version / cluster version metrics: the etcd
   * release whose API we follow. Our rpc.proto is etcd 3.4's, and 3.4.23 is the 3.4 release
   * the tests compare against (the real etcd installed beside us), so a client that looks at
   * the version (etcdctl, Kubernetes' checks) sees the same string from both.
   */
  static final String VERSION = "3.4.23";

  private final NodeRuntime runtime;
  private final RaftGateway raft;
  private final KvStateMachine state;
  private final Headers headers;
  private final java.util.function.Supplier<List<Long>> memberIds;
  private final LeaderEvents leaders;
  private final long transferTimeoutMillis;
  private final Consumer<String> log;
  private CompletableFuture<HashResponse> hashRunning; // guarded by this, as is hashNext
  private CompletableFuture<HashResponse> hashNext;

  MaintenanceService(NodeRuntime runtime, RaftGateway raft, KvStateMachine state,
      Headers headers, java.util.function.Supplier<List<Long>> memberIds,
      LeaderEvents leaders,
      long transferTimeoutMillis, Consumer<String> log) {
    this.log = log;
    this.runtime = runtime;
    this.raft = raft;
    this.state = state;
    this.leaders = leaders;
    this.headers = headers;
    this.memberIds = memberIds;
    this.transferTimeoutMillis = transferTimeoutMillis;
  }

  @Override
  public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
    NodeRuntime.Status s = runtime.status();
    StatusResponse.Builder b = StatusResponse.newBuilder()
        .setHeader(headers.now())
        .setVersion(VERSION)
        .setDbSize(dbSize(state.store()).getAsLong())
        .setDbSizeInUse(state.store().sizeBytes())
        .setLeader(s.lead())
        .setRaftIndex(s.commit())
        .setRaftTerm(s.term())
        .setRaftAppliedIndex(s.applied())
        .setIsLearner(state.membership().isLearner(headers.memberId()));
    if (s.failure() != null) {
      b.addErrors(s.failure());
    }
    state.alarms().list(AlarmType.NONE).forEach(a -> b.addErrors(Alarms.describe(a)));
    Rpc.answer(b.build(), out);
  }

  /**
   * What `endpoint status` calls DB SIZE and etcd_mvcc_db_total_size_in_bytes reports: the
   * store's own size estimate, as etcd's is its bbolt file's size. Not the data directory,
   * whose WAL preallocates 64 MiB segments (a store of a few keys showed 67 MB). etcd's file
   * keeps the pages a compaction freed until a defragment, so its dbSize can exceed
   * dbSizeInUse; our store lives in the heap, where a compaction frees them at once, so the
   * two are the same number, honestly.
   */
  static LongSupplier dbSize(MvccStore store) {
    return store::sizeBytes;
  }

  /** Every action goes through the log, as in etcd, so even a GET sees all raised alarms. */
  @Override
  public void alarm(AlarmRequest r, StreamObserver<AlarmResponse> out) {
    Rpc.write(raft, headers, InternalRequest.newBuilder().setAlarm(r),
        ApplyResult.Alarm.class, out);
  }

  /** A hash of this member's history, to compare with the others' (no log entry, as etcd). */
  @Override
  public void hashKV(HashKVRequest r, StreamObserver<HashKVResponse> out) {
    MvccStore.Hash h;
    try {
      h = state.store().hash(r.getRevision());
    } catch (RuntimeException e) {
      out.onError(Errors.of(e));
      return;
    }
    Rpc.answer(HashKVResponse.newBuilder().setHeader(headers.now()).setHash((int) h.crc())
        .setHashRevision(h.revision()).setCompactRevision(h.compactRevision()).build(), out);
  }

  /**
   * Nothing to do: etcd rewrites its database file to return the space compaction freed, but
   * our store lives in the heap, where a compaction frees it at once. Answered so that etcd's
   * recovery steps (compact, defrag, alarm disarm) work unchanged.
   */
  @Override
  public void defragment(DefragmentRequest r, StreamObserver<DefragmentResponse> out) {
    Rpc.answer(DefragmentResponse.newBuilder().setHeader(headers.at(0)).build(), out);
  }

  /**
   * A backup, for {@code etcdctl snapshot save}: the state as this member has applied it, as
   * etcd's bbolt database ({@link BackupFile}), or in our snapshot file format if the request
   * asks ({@link BackupFormat}). Taken between two applied entries, so it is one consistent
   * revision; the database is written from that copy on the streamer's thread.
   */
  @Override
  public void snapshot(SnapshotRequest r, StreamObserver<SnapshotResponse> out) {
    SnapshotStreamer streamer =
        new SnapshotStreamer((ServerCallStreamObserver<SnapshotResponse>) out, log);
    boolean ours = BackupFormat.ours();
    runtime.exportSnapshot().whenComplete((file, t) -> {
      if (t != null) {
        out.onError(Errors.of(t));
      } else if (ours) {
        streamer.start(file, headers.now());
      } else {
        streamer.start(() -> BackupFile.toEtcd(file), headers.now());
      }
    });
  }

  /**
   * etcd's hash of the whole database ({@link EtcdHash}) over the state as this member has
   * applied it, laid out as etcd's buckets: equal on members that applied the same log. Taken
   * between two applied entries (a copy, as for a backup), hashed on a thread of its own; the
   * header's revision is the copy's, as etcd's is the store's when it hashes.
   */
  @Override
  public void hash(HashRequest r, StreamObserver<HashResponse> out) {
    hashing().whenComplete((h, t) -> {
      if (t != null) {
        out.onError(Errors.of(t instanceof CompletionException ? t.getCause() : t));
      } else {
        Rpc.answer(h, out);
      }
    });
  }

  /**
   * One hash at a time: each takes a copy of the state as large as the store. A request that
   * arrives while one runs waits for the next, which starts when that one ends and answers
   * every request that arrived meanwhile: each answer is of a state taken after its request
   * came, and however many clients ask, at most one copy is on disk and one more is promised.
   */
  private synchronized CompletableFuture<HashResponse> hashing() {
    if ((hashRunning == null || hashRunning.isDone()) && hashNext == null) {
      hashRunning = hashOfACopy();
      return hashRunning;
    }
    CompletableFuture<HashResponse> next = hashNext;
    if (next == null) {
      next = hashNext = new CompletableFuture<>();
      CompletableFuture<HashResponse> promised = next;
      hashRunning.whenComplete((h, t) -> startNextHash(promised));
    }
    return next;
  }

  private synchronized void startNextHash(CompletableFuture<HashResponse> promised) {
    hashNext = null;
    hashRunning = hashOfACopy();
    hashRunning.whenComplete((h, t) -> {
      if (t != null) {
        promised.completeExceptionally(t);
      } else {
        promised.complete(h);
      }
    });
  }

  private CompletableFuture<HashResponse> hashOfACopy() {
    return runtime.exportSnapshot().thenApplyAsync(file -> {
      try {
        StateScan s = StateScan.of(SnapshotStore.mapPrefix(file).getData());
        return HashResponse.newBuilder().setHeader(headers.at(s.revision()))
            .setHash(EtcdHash.ofState(s)).build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        deleteQuietly(file);
      }
    }, MaintenanceService::ownThread);
  }

  private static void ownThread(Runnable r) {
    Thread t = new Thread(r, "hash");
    t.setDaemon(true);
    t.start();
  }

  private void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.accept("hash: could not delete " + file + ": " + e);
    }
  }

  /** Thesis §3.10: the leader brings the target up to date, then tells it to campaign. */
  @Override
  public void moveLeader(MoveLeaderRequest r, StreamObserver<MoveLeaderResponse> out) {
    if (runtime.status().role() != StateRole.LEADER) {
      out.onError(Errors.notLeader());
      return;
    }
    if (!memberIds.get().contains(r.getTargetID())) {
      out.onError(Errors.badLeaderTransferee());
      return;
    }
    CompletableFuture<Void> moved = leaders.whenLeaderIs(r.getTargetID());
    runtime.transferLeader(r.getTargetID());
    if (runtime.status().lead() == r.getTargetID()) {
      moved.complete(null);
    }
    moved.orTimeout(transferTimeoutMillis, TimeUnit.MILLISECONDS).whenComplete((v, t) -> {
      if (t != null) {
        out.onError(Errors.leaderTransferTimedOut());
      } else {
        out.onNext(MoveLeaderResponse.newBuilder().setHeader(headers.at(0)).build());
        out.onCompleted();
      }
    });
  }
}
