package raft.runtime;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import raft.core.RaftNode;

/**
 * Batching: every proposal that arrived since the last batch goes to Raft in one MsgProp (up to
 * {@link #MAX_PROPOSAL_BATCH_BYTES}), so the leader appends them together and sends them to
 * each follower in one append, instead of one append per proposal. A batch waits while a
 * write is in flight on the storage thread ({@link RaftLoop#diskBusy}): the proposals that
 * arrive during an fsync join it, as they did when the loop itself waited for the fsync. With
 * one client nothing waits (its next put comes after its last one committed).
 *
 * <p>Threading: {@link #propose} is called from any thread and never blocks; the batches are
 * handed to Raft on the loop.
 */
final class ProposalBatcher {

  /** The most command bytes one batch of proposals carries (etcd's default max message size). */
  static final long MAX_PROPOSAL_BATCH_BYTES = 1024 * 1024;

  private record Proposal(ByteString data, CompletableFuture<Void> accepted) {}

  private final long id;
  private final RaftNode node;
  private final RaftLoop loop;
  private final Lifecycle lifecycle;
  private final Queue<Proposal> proposals = new ConcurrentLinkedQueue<>();
  // True while a batch is queued on the loop: later proposals join it instead of queueing more.
  private final AtomicBoolean queued = new AtomicBoolean();
  private boolean waiting; // the loop's: a batch waits for the disk to go idle

  ProposalBatcher(long id, RaftNode node, RaftLoop loop, Lifecycle lifecycle) {
    this.id = id;
    this.node = node;
    this.loop = loop;
    this.lifecycle = lifecycle;
  }

  /** See {@link NodeRuntime#propose}. */
  CompletableFuture<Void> propose(ByteString data) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (lifecycle.track(f)) {
      proposals.add(new Proposal(data, f));
      if (queued.compareAndSet(false, true)) {
        loop.submit(this::proposeQueued);
      }
    }
    return f;
  }

  /** On the loop, when no write is in flight any more: a waiting batch goes now. */
  void diskIdle() {
    if (waiting) {
      proposeQueued();
    }
  }

  /** On the loop: everything queued so far, in batches of at most the byte limit. */
  private void proposeQueued() {
    if (loop.diskBusy()) {
      waiting = true; // queued stays set: later proposals join this batch
      return;
    }
    waiting = false;
    queued.set(false);
    List<Proposal> batch = new ArrayList<>();
    long bytes = 0;
    for (Proposal p; (p = proposals.poll()) != null; ) {
      if (!batch.isEmpty() && bytes + p.data().size() > MAX_PROPOSAL_BATCH_BYTES) {
        proposeAll(batch);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(p);
      bytes += p.data().size();
    }
    if (!batch.isEmpty()) {
      proposeAll(batch);
    }
  }

  private void proposeAll(List<Proposal> batch) {
    List<ByteString> commands = new ArrayList<>(batch.size());
    for (Proposal p : batch) {
      commands.add(p.data());
    }
    boolean accepted = node.proposeAll(commands);
    for (Proposal p : batch) {
      if (accepted) {
        p.accepted().complete(null);
      } else {
        p.accepted().completeExceptionally(NoLeaderException.dropped("proposal", id));
      }
    }
  }
}
