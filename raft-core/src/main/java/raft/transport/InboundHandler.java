package raft.transport;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import raft.pb.Message;
import raft.pb.PeerFrame;

/**
 * Serves one accepted connection: checks the Hello, then vets and delivers its messages and
 * reassembles its snapshots. Until the Hello the connection waits at the {@link HelloGate}: small
 * frames only, a deadline, a capped number of places. Confined to the connection's event loop.
 */
final class InboundHandler extends SimpleChannelInboundHandler<PeerFrame> {
  private final long selfId;
  private final long clusterId;
  private final Consumer<Message> inbound;
  private final Supplier<Set<Long>> cut;
  private final Frames.CappedFrameDecoder frames;
  private final HelloGate gate;
  private final Consumer<String> log;
  private final Supplier<com.google.protobuf.ByteString> members;
  private ScheduledFuture<?> helloDeadline;
  private String remote = "?";
  private long from; // 0 until the Hello arrives (member ids are never 0)
  private SnapshotAssembler assembler;
  private boolean closing;
  private boolean warnedImpostor;
  private Set<Long> loggedPartition;

  InboundHandler(long selfId, long clusterId, Consumer<Message> inbound,
      Supplier<Set<Long>> cut, Frames.CappedFrameDecoder frames, HelloGate gate,
      Consumer<String> log, Supplier<com.google.protobuf.ByteString> members) {
    this.members = members;
    this.selfId = selfId;
    this.clusterId = clusterId;
    this.inbound = inbound;
    this.cut = cut;
    this.frames = frames;
    this.gate = gate;
    this.log = log;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    remote = Frames.hostPort(ctx.channel().remoteAddress());
    gate.enter(ctx.channel());
    helloDeadline = ctx.executor().schedule(() -> {
      if (from == 0 && !closing) {
        reject(ctx, "no Hello within " + gate.timeout.toMillis() + " ms");
      }
    }, gate.timeout.toMillis(), TimeUnit.MILLISECONDS);
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    gate.leave(ctx.channel(), from);
    if (helloDeadline != null) {
      helloDeadline.cancel(false);
    }
    super.channelInactive(ctx);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, PeerFrame frame) {
    if (closing) {
      return;
    }
    if (from == 0) {
      hello(ctx, frame);
      return;
    }
    switch (frame.getBodyCase()) {
      case MESSAGE -> deliver(frame.getMessage());
      case CHUNK -> assembler.add(frame.getChunk()).ifPresent(this::deliver);
      default -> reject(ctx, "a " + frame.getBodyCase() + " frame after its Hello");
    }
  }

  private void hello(ChannelHandlerContext ctx, PeerFrame frame) {
    if (frame.hasMembersQuery()) {
      answerMembers(ctx);
    } else if (frame.hasHello() && gate.isRemoved(frame.getHello().getFrom())
        && frame.getHello().getClusterId() == clusterId) {
      closing = true;
      gate.refusals.accept("peer " + remote + " said Hello as member "
          + Long.toHexString(frame.getHello().getFrom()) + ", which was removed from the"
          + " cluster; telling it so and closing");
      ctx.writeAndFlush(PeerFrame.newBuilder().setRemoved(raft.pb.Removed.newBuilder()
          .setMember(frame.getHello().getFrom())).build())
          .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    } else if (!frame.hasHello()) {
      reject(ctx, "a " + frame.getBodyCase() + " frame instead of a Hello");
    } else if (frame.getHello().getClusterId() != clusterId) {
      closing = true;
      gate.refusals.accept(String.format(
          "peer %s speaks for cluster 0x%x, this is cluster 0x%x; closing",
          remote, frame.getHello().getClusterId(), clusterId));
      ctx.close();
    } else if (frame.getHello().getFrom() == 0) {
      reject(ctx, "a Hello without a member id");
    } else if (!gate.isMember(frame.getHello().getFrom())) {
      reject(ctx, "a Hello from member " + frame.getHello().getFrom() + ", which is not in this"
          + " cluster's configuration");
    } else if (!gate.admit(ctx.channel(), frame.getHello().getFrom())) {
      reject(ctx, "a Hello from member " + frame.getHello().getFrom() + ", which has "
          + HelloGate.PER_MEMBER + " connections from another address already");
    } else {
      from = frame.getHello().getFrom();
      helloDeadline.cancel(false);
      frames.helloAccepted();
      assembler = new SnapshotAssembler(remote + " (member " + from + ")", log);
    }
  }

  // A joining member asks who is in the cluster: one answer, then the connection closes.
  private void answerMembers(ChannelHandlerContext ctx) {
    closing = true;
    raft.pb.MembersAnswer answer = raft.pb.MembersAnswer.newBuilder().setClusterId(clusterId)
        .setMembers(members.get()).build();
    ctx.writeAndFlush(PeerFrame.newBuilder().setMembersAnswer(answer).build())
        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
  }

  private void deliver(Message m) {
    if (m.getFrom() != from || m.getTo() != selfId) {
      if (!warnedImpostor) { // once per connection: a misconfigured peer would flood the log
        warnedImpostor = true;
        log.accept("peer " + remote + " said hello as member " + from + " but sent " + m.getType()
            + " from " + m.getFrom() + " to " + m.getTo() + " (this is " + selfId
            + "); dropping such messages");
      }
      return;
    }
    Set<Long> partition = cut.get();
    if (partition.contains(from)) { // partitioned: drop on receipt too, so one side's cut is enough
      if (partition != loggedPartition) { // once per connection and cut() call
        loggedPartition = partition;
        log.accept("partition: dropping messages from member " + from + " (first: "
            + m.getType() + ")");
      }
      return;
    }
    try {
      inbound.accept(m);
    } catch (RuntimeException e) {
      log.accept("inbound callback failed on " + m.getType() + " from " + from + ": " + e);
    }
  }

  private void reject(ChannelHandlerContext ctx, String what) {
    closing = true;
    gate.refusals.accept("peer " + remote + " sent " + what + "; closing");
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    OutOfMemory.report(cause);
    if (closing) {
      return; // the decoder may complain again about the rest of the same garbage
    }
    if (cause instanceof IOException) {
      closing = true; // the peer went away (reset); its own log says why
      ctx.close();
      return;
    }
    reject(ctx, describe(cause));
  }

  private String describe(Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      return cause.getMessage(); // Frames.CappedFrameDecoder's, in our words
    }
    if (cause instanceof CorruptedFrameException) {
      return "a corrupt frame header (" + cause.getMessage() + ")";
    }
    if (cause instanceof DecoderException
        && cause.getCause() instanceof InvalidProtocolBufferException e) {
      return "bytes that are not a PeerFrame (" + e.getMessage() + ")";
    }
    return "something that broke the transport (" + cause + ")";
  }
}
