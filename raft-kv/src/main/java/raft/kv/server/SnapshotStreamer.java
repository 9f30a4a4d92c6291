package raft.kv.server;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.api.etcdserverpb.SnapshotResponse;

/**
 * Sends a backup to an {@code etcdctl snapshot save} client in 32 KiB pieces, as etcd does,
 * and only as fast as the client reads: it waits for the call to be ready rather than
 * buffering the whole state in memory. Runs on its own thread; deletes the file at the end.
 *
 * <p>The stream is the file (etcd's bbolt database, or our snapshot file), zeros up to a
 * multiple of 512 bytes (none for a database: its pages are 4 KiB), then the SHA-256 of all
 * that: etcd's trailer, which etcdctl insists on (it checks that the size is a multiple of 512
 * plus 32). {@link BackupFile} reads it back.
 */
final class SnapshotStreamer {
  static final int CHUNK_BYTES = 32 * 1024;
  /** A client that reads nothing for this long is given up on. */
  private static final long STALL_MILLIS = 60_000;

  private final ServerCallStreamObserver<SnapshotResponse> call;
  private final Object readiness = new Object();
  private final Consumer<String> log;

  /** Call during the service method, before it returns: gRPC takes the handlers only then. */
  SnapshotStreamer(ServerCallStreamObserver<SnapshotResponse> call, Consumer<String> log) {
    this.call = call;
    this.log = log;
    call.setOnReadyHandler(this::wake);
    call.setOnCancelHandler(this::wake);
  }

  private void wake() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }

  /** Makes the file to send (off the apply thread: it may take a while). */
  interface Source {
    Path file() throws IOException;
  }

  /** Starts sending {@code file} on a new thread. */
  void start(Path file, ResponseHeader header) {
    start(() -> file, header);
  }

  /** Starts making the file and then sending it, on a new thread. */
  void start(Source source, ResponseHeader header) {
    Thread t = new Thread(() -> {
      Path file;
      try {
        file = source.file();
      } catch (IOException | RuntimeException e) {
        log.accept("snapshot save: failed to write the backup: " + e);
        call.onError(Status.INTERNAL.withDescription("snapshot save failed: " + e.getMessage())
            .asRuntimeException());
        return;
      }
      send(file, header);
    }, "snapshot-save");
    t.setDaemon(true);
    t.start();
  }

  private void send(Path file, ResponseHeader header) {
    try (InputStream in = new SequenceInputStream(Files.newInputStream(file),
        new ByteArrayInputStream(new byte[BackupFile.padding(Files.size(file))]))) {
      MessageDigest sha = BackupFile.sha256();
      long remaining = BackupFile.paddedSize(Files.size(file)) + BackupFile.SHA_BYTES;
      byte[] buf = new byte[CHUNK_BYTES];
      boolean first = true;
      while (remaining > 0) {
        int n = in.readNBytes(buf, 0, buf.length);
        byte[] blob;
        if (n > 0) {
          blob = Arrays.copyOf(buf, n);
          sha.update(blob);
        } else {
          blob = sha.digest(); // the file and its padding are sent: the trailer comes last
        }
        remaining -= blob.length;
        if (!awaitReady()) {
          return;
        }
        SnapshotResponse.Builder r = SnapshotResponse.newBuilder().setRemainingBytes(remaining)
            .setBlob(UnsafeByteOperations.unsafeWrap(blob));
        if (first) {
          r.setHeader(header);
          first = false;
        }
        call.onNext(r.build());
      }
      call.onCompleted();
    } catch (IOException | RuntimeException e) {
      log.accept("snapshot save: failed to send " + file + ": " + e);
      call.onError(Status.INTERNAL.withDescription("snapshot save failed: " + e.getMessage())
          .asRuntimeException());
    } finally {
      deleteQuietly(file);
    }
  }

  /** False if the client went away or read nothing for {@link #STALL_MILLIS}. */
  private boolean awaitReady() throws IOException {
    long deadline = System.currentTimeMillis() + STALL_MILLIS;
    synchronized (readiness) {
      while (!call.isReady() && !call.isCancelled()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new IOException("the client read nothing for " + STALL_MILLIS / 1000 + " s");
        }
        try {
          readiness.wait(Math.min(left, 1000)); // re-checks even if a wake-up was missed
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return !call.isCancelled();
  }

  private void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.accept("snapshot save: could not delete " + file + ": " + e);
    }
  }
}
