package raft.kv.apply;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.AlarmResponse;
import raft.kv.api.etcdserverpb.AlarmType;
import raft.kv.pb.KvState;

/**
 * The raised alarms, as etcd's alarm store: replicated state, changed only by applying an
 * {@link AlarmRequest} entry, so every member agrees which alarms are raised and refuses the
 * same writes. Written by the apply thread; read from any thread.
 */
public final class Alarms {
  private static final Comparator<AlarmMember> ORDER = Comparator
      .comparingInt(AlarmMember::getAlarmValue).thenComparingLong(AlarmMember::getMemberID);

  // Guarded by this.
  private final TreeSet<AlarmMember> raised = new TreeSet<>(ORDER);

  /**
   * Applies a request as etcd does: GET lists the alarms of its type (NONE: all), ACTIVATE and
   * DEACTIVATE answer with the alarm they changed, or nothing if it already was that way.
   */
  public synchronized AlarmResponse apply(AlarmRequest r) {
    AlarmMember m = AlarmMember.newBuilder().setMemberID(r.getMemberID())
        .setAlarm(r.getAlarm()).build();
    AlarmResponse.Builder resp = AlarmResponse.newBuilder();
    switch (r.getAction()) {
      case ACTIVATE -> {
        if (r.getAlarm() != AlarmType.NONE && raised.add(m)) {
          resp.addAlarms(m);
        }
      }
      case DEACTIVATE -> {
        if (raised.remove(m)) {
          resp.addAlarms(m);
        }
      }
      default -> resp.addAllAlarms(list(r.getAlarm()));
    }
    return resp.build();
  }

  /** An alarm in etcd's words (its protobuf text): {@code memberID:1 alarm:NOSPACE }. */
  public static String describe(AlarmMember a) {
    return "memberID:" + a.getMemberID() + " alarm:" + a.getAlarm() + " ";
  }

  /** The raised alarms of one type, or all of them for NONE. */
  public synchronized List<AlarmMember> list(AlarmType type) {
    List<AlarmMember> out = new ArrayList<>();
    for (AlarmMember m : raised) {
      if (type == AlarmType.NONE || m.getAlarm() == type) {
        out.add(m);
      }
    }
    return out;
  }

  public synchronized boolean isRaised(AlarmType type) {
    return !list(type).isEmpty();
  }

  synchronized void writeTo(CodedOutputStream state) throws IOException {
    for (AlarmMember m : raised) {
      state.writeMessage(KvState.ALARMS_FIELD_NUMBER, m);
    }
  }

  synchronized void restoreFrom(KvState state) {
    raised.clear();
    raised.addAll(state.getAlarmsList());
  }
}
