package raft.kv.cluster;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.cluster.ViewFrame.Entry;
import raft.kv.cluster.ViewFrame.Member;
import raft.kv.cluster.ViewFrame.Message;
import raft.kv.pb.LogEntryId;
import raft.kv.pb.MessagesSent;
import raft.kv.pb.NodeStatusResponse;

/**
 * The cluster view's heartbeat: {@link #PERIOD_MILLIS} after each poll it samples the cluster
 * ({@link ViewSource}), turns the samples into a frame (members, the messages each sent since
 * the previous poll, the timeline's new events and narration) and hands it, as one
 * server-sent event, to the web server. One thread; a poll is bounded by the status deadline.
 */
final class ViewPoller implements AutoCloseable {
  static final long PERIOD_MILLIS = 250;
  private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  private final ViewSource source;
  private final ViewTimeline timeline;
  private final ViewNarration narration = new ViewNarration();
  private final Gson gson = new GsonBuilder().disableHtmlEscaping().create();
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
      r -> new Thread(r, "view-poller"));
  // poller thread only: what the previous polls saw
  private Map<String, Member> last = new LinkedHashMap<>();
  private Map<String, Long> sentBefore = new HashMap<>();
  private Set<String> answeredBefore = new HashSet<>();
  private Set<String> alarmsBefore = new TreeSet<>();
  private volatile List<Member> latest = List.of();
  private volatile boolean failedOnce;

  ViewPoller(ViewSource source, ViewTimeline timeline) {
    this.source = source;
    this.timeline = timeline;
  }

  static String now() {
    return LocalTime.now().format(HMS);
  }

  void start(Consumer<String> broadcast) {
    thread.scheduleWithFixedDelay(() -> {
      try {
        broadcast.accept(sse(pollOnce()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // closing
      } catch (Exception e) {
        if (!failedOnce) { // a scheduled task that throws is never run again: keep going
          failedOnce = true;
          System.err.println(now() + " view: a poll failed (retrying): " + e);
        }
      }
    }, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** What a page that connects now gets first: the members and the recent timeline. */
  List<String> greeting() {
    return List.of(sse(new ViewFrame(now(), latest, List.of(), timeline.recent())));
  }

  private String sse(ViewFrame f) {
    return "event: frame\ndata: " + gson.toJson(f) + "\n\n";
  }

  ViewFrame pollOnce() throws Exception {
    String clock = now();
    List<ViewSource.Sample> samples = source.poll();
    Ids ids = source.ids();
    List<Member> members = new ArrayList<>();
    for (ViewSource.Sample s : samples) {
      members.add(member(s, ids));
    }
    List<Message> messages = deltas(samples, ids);
    timeline.compare(last, members, clock);
    for (Message m : messages) {
      if (m.type().equals("snapshot")) {
        timeline.add(clock, m.from(), "snapshot", m.from() + " sent a snapshot to " + m.to());
      }
    }
    alarms(clock, ids);
    List<ViewNarration.Line> said = new ArrayList<>();
    for (ViewSource.Sample s : samples) {
      said.addAll(narrate(source.layout().logFile(s.k())));
    }
    said.sort(java.util.Comparator.comparing(ViewNarration.Line::clock)); // one story, in order
    said.forEach(l -> timeline.add(l.clock(), l.member(), l.kind(), l.member() + ": "
        + l.text()));
    last = new LinkedHashMap<>();
    members.forEach(m -> last.put(m.name(), m));
    latest = List.copyOf(members);
    return new ViewFrame(clock, members, messages, timeline.drain());
  }

  /** A member from its sample; one that did not answer keeps what it last said. */
  private Member member(ViewSource.Sample s, Ids ids) {
    String name = ClusterLayout.name(s.k());
    java.util.Optional<String> failure = StatusVerbs.stoppedReason(s.status(), s.exitReason());
    if (s.status().isPresent() && failure.isEmpty()) {
      return answered(name, s.status().get(), ids);
    }
    Member before = last.getOrDefault(name, new Member(name, Long.toHexString(ids.id(s.k())),
        "down", "", !source.learner(s.k()).orElse(false), 0, "", "", 0, 0, 0, List.of(),
        List.of(), ""));
    String state = failure.isPresent() ? "stopped" : switch (s.state()) {
      case UP -> "up";
      case PAUSED -> "paused";
      case DOWN -> "down";
    };
    Member m = before.withState(state, failure.orElse(state.equals("up")
        ? "does not answer (starting, or busy)" : ""));
    // A process that ended took its partition with it (a restarted member starts whole).
    return state.equals("down") || state.equals("stopped") ? new Member(m.name(), m.id(),
        m.state(), "", m.voter(), m.term(), m.vote(), m.leader(), m.commit(), m.applied(),
        m.lastIndex(), m.log(), List.of(), m.failure()) : m;
  }

  private static Member answered(String name, NodeStatusResponse r, Ids ids) {
    List<Entry> log = new ArrayList<>();
    for (LogEntryId e : r.getLogTailList()) {
      log.add(new Entry(e.getIndex(), e.getTerm()));
    }
    List<String> cut = r.getCutPeersList().stream().map(ids::name).toList();
    return new Member(name, Long.toHexString(r.getId()), "up", r.getRole(), !r.getLearner(),
        r.getTerm(), nameOf(ids, r.getVotedFor()), nameOf(ids, r.getLeader()), r.getCommit(),
        r.getApplied(), r.getLastIndex(), log, cut, "");
  }

  private static String nameOf(Ids ids, long id) {
    return id == 0 ? "" : ids.name(id);
  }

  /**
   * The messages each member sent since the previous poll: the difference of its counters. A
   * member seen for the first time has no difference yet; one whose counters went down was
   * restarted, and everything it counted since is new.
   */
  private List<Message> deltas(List<ViewSource.Sample> samples, Ids ids) {
    Map<String, Long> now = new HashMap<>(sentBefore);
    Set<String> answered = new HashSet<>();
    List<Message> out = new ArrayList<>();
    for (ViewSource.Sample s : samples) {
      if (s.status().isEmpty()) {
        continue;
      }
      String from = ClusterLayout.name(s.k());
      answered.add(from);
      for (MessagesSent m : s.status().get().getMessagesSentList()) {
        String to = ids.name(m.getTo());
        String key = from + " " + to + " " + m.getKind();
        Long before = sentBefore.get(key);
        long d = before == null ? (answeredBefore.contains(from) ? m.getCount() : 0)
            : m.getCount() >= before ? m.getCount() - before : m.getCount();
        now.put(key, m.getCount());
        if (d > 0) {
          out.add(new Message(from, to, m.getKind(), d));
        }
      }
    }
    sentBefore = now;
    answeredBefore = answered;
    return out;
  }

  private void alarms(String clock, Ids ids) {
    Set<String> now = new TreeSet<>();
    for (AlarmMember a : source.alarms()) {
      now.add(a.getAlarm().name() + " on " + ids.name(a.getMemberID()));
    }
    for (String a : now) {
      if (!alarmsBefore.contains(a)) {
        timeline.add(clock, "", "alarm", "alarm raised: " + a);
      }
    }
    for (String a : alarmsBefore) {
      if (!now.contains(a)) {
        timeline.add(clock, "", "alarm", "alarm cleared: " + a);
      }
    }
    alarmsBefore = now;
  }

  /** The member's new narration lines (the last few, if it said a lot at once). */
  private List<ViewNarration.Line> narrate(java.nio.file.Path log) {
    List<ViewNarration.Line> lines = narration.read(log);
    int skip = Math.max(0, lines.size() - ViewNarration.MAX_LINES);
    if (skip > 0) {
      timeline.add(now(), lines.get(0).member(), "narration", "(" + skip + " more line"
          + (skip == 1 ? "" : "s") + " in " + log.getFileName() + ")");
    }
    return lines.subList(skip, lines.size());
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
