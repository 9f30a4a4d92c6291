package raft.kv.server;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import raft.kv.api.etcdserverpb.LeaseKeepAliveRequest;
import raft.kv.api.etcdserverpb.LeaseKeepAliveResponse;
import raft.kv.apply.ApplyResult;
import raft.kv.pb.InternalRequest;

/**
 * One LeaseKeepAlive stream, flow-controlled both ways. etcd's server loop receives a
 * keep-alive, renews, and sends the answer with a blocking send, so a client that stops
 * reading stops being read. gRPC Java never blocks a send: it queues the answer (each in a
 * buffer of at least 4 KiB of direct memory), so a client that kept sending keep-alives and
 * read none of the answers could fill this member's direct memory. Here:
 *
 * <ul>
 *   <li>the next keep-alive is read only while the answers can be sent ({@code isReady}) and
 *       few of this stream's are still being proposed, so the client's own sends stop, as
 *       with etcd;
 *   <li>answers that complete while the client is not reading wait in a map by lease, the
 *       latest replacing the older (only a lease's latest TTL means anything), bounded; they
 *       go out when the call is ready again.
 * </ul>
 */
final class KeepAliveStream implements StreamObserver<LeaseKeepAliveRequest> {
  /** Leases whose answer may wait for the client; past that, answers are dropped. */
  static final int MAX_WAITING_ANSWERS = 1024;
  /**
   * Keep-alives of one stream proposed and not yet applied. etcd renews one at a time per
   * stream; a few dozen let Raft batch them (clients send every lease's keep-alives on one
   * stream) while a client that floods keep-alives waits for them rather than queueing
   * proposals without end.
   */
  static final int MAX_PROPOSED = 64;

  private final ServerCallStreamObserver<LeaseKeepAliveResponse> out;
  private final RaftGateway raft;
  private final Headers headers;
  private final Map<Long, LeaseKeepAliveResponse> waiting = new LinkedHashMap<>();
  private boolean reading;
  private int proposed;
  private boolean closed;

  /** Call during the service method: gRPC takes flow-control settings only then. */
  KeepAliveStream(ServerCallStreamObserver<LeaseKeepAliveResponse> out, RaftGateway raft,
      Headers headers) {
    this.out = out;
    this.raft = raft;
    this.headers = headers;
    out.disableAutoRequest();
    out.setOnReadyHandler(this::onReady);
    out.setOnCancelHandler(this::close);
    readNext();
  }

  @Override
  public void onNext(LeaseKeepAliveRequest r) {
    synchronized (this) {
      reading = false;
      proposed++;
    }
    raft.propose(InternalRequest.newBuilder().setLeaseKeepAlive(r),
        ApplyResult.LeaseKeepAlive.class).whenComplete((renewed, t) -> {
      LeaseKeepAliveResponse.Builder b = LeaseKeepAliveResponse.newBuilder().setID(r.getID());
      if (t == null) {
        answered(b.setTTL(renewed.response().getTTL()));
      } else if (Errors.of(t).getStatus().getCode() == Status.Code.NOT_FOUND) {
        answered(b); // an unknown lease answers TTL 0: clients read "expired or revoked"
      } else {
        answered(null); // no leader or timed out: the client sends its next keep-alive soon
      }
    });
    readNext();
  }

  /** Asks gRPC for the next keep-alive if its answer could be sent, and few are in flight. */
  private synchronized void readNext() {
    if (!closed && !reading && proposed < MAX_PROPOSED && out.isReady()) {
      reading = true;
      out.request(1);
    }
  }

  private synchronized void answered(LeaseKeepAliveResponse.Builder b) {
    proposed--;
    if (b != null) {
      answer(b.setHeader(headers.now()).build());
    }
    readNext();
  }

  private synchronized void answer(LeaseKeepAliveResponse a) {
    if (closed) {
      return;
    }
    if (waiting.isEmpty() && out.isReady()) {
      out.onNext(a);
    } else if (waiting.size() < MAX_WAITING_ANSWERS || waiting.containsKey(a.getID())) {
      waiting.put(a.getID(), a);
    } // else dropped: that lease's next keep-alive gets its own answer
  }

  private synchronized void onReady() {
    Iterator<LeaseKeepAliveResponse> it = waiting.values().iterator();
    while (!closed && it.hasNext() && out.isReady()) {
      out.onNext(it.next());
      it.remove();
    }
    readNext();
  }

  private synchronized void close() {
    closed = true;
    waiting.clear();
  }

  @Override
  public void onError(Throwable t) {
    close();
  }

  @Override
  public synchronized void onCompleted() {
    if (!closed) {
      close();
      out.onCompleted();
    }
  }
}
