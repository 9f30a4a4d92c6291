package raft.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;
import raft.core.Raft;
import raft.core.StateRole;
import raft.kv.cluster.ViewFrame;
import raft.pb.ConfState;
import raft.pb.HardState;
import raft.pb.MessageType;
import raft.runtime.MessageCounts;
import raft.sim.replay.EventKinds;

/**
 * Samples a simulator run into frames for {@code scripts/simulate --html}: every {@code step}
 * units of virtual time from {@code from} to {@code until}, each member's state, the messages
 * the network accepted since the previous frame, and the trace lines printed since. It only
 * reads: it draws no random number and schedules nothing, so a recorded run is the same run,
 * byte for byte, as an unrecorded one with the same seed.
 */
final class ReplayRecorder {
  /**
   * Bounds the replay's size: a frame takes about 0.5 to 1.5 kB per member shown (the log
   * tail is most of it), so 2 MB for the default 800 frames of 3 members, 25 MB at most.
   */
  static final int MAX_FRAMES = 4000;
  private static final int LOG_TAIL = 20;
  /** A member stopped for good stays on the page this long, then leaves it (as in etcd). */
  private static final long STOPPED_SHOWN = 20L * Simulator.TICK;

  private final Simulator sim;
  private final long from;
  private final long until;
  private final long step;
  private long next;
  private final List<ViewFrame> frames = new ArrayList<>();
  private final Map<String, long[]> sent = new TreeMap<>(); // "from\0to\0type" -> {count}
  private final List<ViewFrame.Event> events = new ArrayList<>();
  private final Map<Integer, Long> stoppedSince = new TreeMap<>();
  private long seq;

  /** Times in virtual units ({@link Simulator#TICK} a tick). */
  ReplayRecorder(Simulator sim, long from, long until, long step) {
    if (step < 1 || from < 0 || until < from) {
      throw new IllegalArgumentException("bad replay window " + from + ".." + until + " by " + step);
    }
    if ((until - from) / step + 1 > MAX_FRAMES) {
      throw new IllegalArgumentException("a replay holds at most " + MAX_FRAMES + " frames");
    }
    this.sim = sim;
    this.from = from;
    this.until = until;
    this.step = step;
    this.next = from;
  }

  /** Before the simulator handles an event at {@code time}: the frames due before it. */
  void before(long time) {
    while (next < time && next <= until) {
      frames.add(frame(next));
      next += step;
    }
  }

  /**
   * The run ended at {@code now}: the frames due until then, and its verdict (the summary or
   * the violation) on the timeline, in a last frame at the end of the run if none is there.
   */
  void finish(long now, String verdict) {
    long end = Math.min(now, until);
    before(end + 1);
    ViewFrame.Event last = event(end, verdict);
    if (frames.isEmpty() || next - step < end) {
      events.add(last);
      frames.add(frame(end));
      return;
    }
    ViewFrame f = frames.remove(frames.size() - 1);
    List<ViewFrame.Event> withVerdict = new ArrayList<>(f.events());
    withVerdict.add(last);
    frames.add(new ViewFrame(f.clock(), f.members(), f.messages(), withVerdict));
  }

  List<ViewFrame> frames() {
    return frames;
  }

  private boolean recording(long now) {
    return now > from - step && now <= until;
  }

  /**
   * The network accepted a message, {@code copies} times (2 when it duplicates it); each is
   * delivered unless its receiver is down or cut off by then.
   */
  void sent(long now, int from, int to, MessageType type, int copies) {
    String kind = kindOf(type);
    if (kind != null && recording(now)) {
      sent.computeIfAbsent("n" + from + "\0n" + to + "\0" + kind, k -> new long[1])[0] += copies;
    }
  }

  /** A trace line, as the simulator printed (or would print) it. */
  void logged(long now, String line) {
    if (recording(now)) {
      events.add(event(now, line));
    }
  }

  private ViewFrame.Event event(long now, String line) {
    return new ViewFrame.Event(++seq, clock(now), EventKinds.memberOf(line),
        EventKinds.kindOf(line), line);
  }

  /** The kind the page draws, as a member counts it (none for the local types). */
  static String kindOf(MessageType t) {
    MessageCounts.Kind k = MessageCounts.kindOf(t);
    return k == null ? null : k.label();
  }

  /** The trace's own time stamp: "tick 123.40". */
  static String clock(long t) {
    return Simulator.formatTime(t);
  }

  private ViewFrame frame(long t) {
    List<ViewFrame.Member> members = new ArrayList<>();
    for (int i = 1; i <= sim.maxId(); i++) {
      if (shown(i, t)) {
        members.add(member(i));
      }
    }
    List<ViewFrame.Message> messages = new ArrayList<>();
    sent.forEach((k, n) -> {
      String[] p = k.split("\0");
      messages.add(new ViewFrame.Message(p[0], p[1], p[2], n[0]));
    });
    sent.clear();
    ViewFrame f = new ViewFrame(clock(t), members, messages, List.copyOf(events));
    events.clear();
    return f;
  }

  /** Every member that has a process, and one stopped for good for a while after it stopped. */
  private boolean shown(int i, long t) {
    if (!sim.node(i).stopped) {
      return true;
    }
    return t - stoppedSince.computeIfAbsent(i, k -> t) <= STOPPED_SHOWN;
  }

  private ViewFrame.Member member(int i) {
    SimNode sn = sim.node(i);
    Raft r = sn.up() ? sn.node.raft() : null;
    String state = sn.up() ? "up" : sn.stopped ? "stopped" : "down";
    boolean learner = learner(i, r == null ? sn.confState : r.confState());
    String role = r == null ? "" : learner && r.role() == StateRole.FOLLOWER ? "learner"
        : r.role().name().toLowerCase().replace('_', '-');
    if (r == null) {
      // Down: what its disk holds (the term and vote survive a crash; the leader does not).
      HardState hs = sn.durable.hardState();
      return new ViewFrame.Member("n" + i, Long.toHexString(i), state, role, !learner,
          hs.getTerm(), name(hs.getVote()), "", hs.getCommit(), sn.appliedIndex,
          sn.durable.lastIndex(), tail(sn.durable.firstIndex(), sn.durable.lastIndex(),
          sn.durable::term), cut(i), "");
    }
    return new ViewFrame.Member("n" + i, Long.toHexString(i), state, role, !learner, r.term(),
        name(r.votedFor()), name(r.lead()), r.log().commitIndex(), sn.appliedIndex,
        r.log().lastIndex(), tail(r.log().firstIndex(), r.log().lastIndex(), r.log()::term),
        cut(i), "");
  }

  /**
   * Whether member i is a learner: by its own configuration if that names it at all (a new
   * member's is empty until the leader sends the log), else by the committed one.
   */
  private boolean learner(int i, ConfState own) {
    ConfState c = names(own, i) ? own : sim.committedConf();
    return c.getLearnersList().contains((long) i) || c.getLearnersNextList().contains((long) i);
  }

  private static boolean names(ConfState c, long i) {
    return c.getVotersList().contains(i) || c.getVotersOutgoingList().contains(i)
        || c.getLearnersList().contains(i) || c.getLearnersNextList().contains(i);
  }

  private static String name(long id) {
    return id == 0 ? "" : "n" + id;
  }

  /** The last {@link #LOG_TAIL} entries of a log from first to last, as (index, term). */
  private static List<ViewFrame.Entry> tail(long first, long last, LongUnaryOperator term) {
    List<ViewFrame.Entry> out = new ArrayList<>();
    for (long i = Math.max(first, last - LOG_TAIL + 1); i <= last; i++) {
      out.add(new ViewFrame.Entry(i, term.applyAsLong(i)));
    }
    return out;
  }

  /** The peers this member cannot send to (a cut link; the other way may still work). */
  private List<String> cut(int i) {
    List<String> out = new ArrayList<>();
    for (int j = 1; j <= sim.maxId(); j++) {
      if (j != i && !sim.network().linked(i, j)) {
        out.add("n" + j);
      }
    }
    return out;
  }
}
