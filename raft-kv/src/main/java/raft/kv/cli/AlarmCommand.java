package raft.kv.cli;

import java.util.List;
import picocli.CommandLine.Command;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.api.etcdserverpb.AlarmRequest;
import raft.kv.api.etcdserverpb.AlarmRequest.AlarmAction;
import raft.kv.api.etcdserverpb.MaintenanceGrpc;
import raft.kv.apply.Alarms;
import raft.kv.client.Clients;

/** alarm list and alarm disarm, as etcdctl 3.4: one alarm a line, in etcd's words. */
@Command(name = "alarm", description = "Alarm commands (NOSPACE: the space quota was reached).",
    subcommands = {AlarmCommand.ListAlarms.class, AlarmCommand.Disarm.class})
public final class AlarmCommand {
  private AlarmCommand() {}

  private static List<AlarmMember> list(MaintenanceGrpc.MaintenanceBlockingStub m) {
    return m.alarm(AlarmRequest.getDefaultInstance()).getAlarmsList();
  }

  @Command(name = "list", description = "Lists the raised alarms.")
  static final class ListAlarms extends ClientCommand {
    @Override
    int run(Clients clients) {
      list(clients.maintenance(clients.channel())).forEach(a -> out().println(Alarms.describe(a)));
      return 0;
    }
  }

  /** As etcdctl: lists the alarms, then clears each one; prints those it cleared. */
  @Command(name = "disarm", description = "Clears every raised alarm.")
  static final class Disarm extends ClientCommand {
    @Override
    int run(Clients clients) {
      for (AlarmMember a : list(clients.maintenance(clients.channel()))) {
        AlarmRequest clear = AlarmRequest.newBuilder().setAction(AlarmAction.DEACTIVATE)
            .setMemberID(a.getMemberID()).setAlarm(a.getAlarm()).build();
        clients.maintenance(clients.channel()).alarm(clear).getAlarmsList()
            .forEach(cleared -> out().println(Alarms.describe(cleared)));
      }
      return 0;
    }
  }
}
