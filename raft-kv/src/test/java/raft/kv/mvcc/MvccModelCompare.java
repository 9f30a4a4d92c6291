package raft.kv.mvcc;

import java.util.Map;
import raft.kv.api.etcdserverpb.Compare;
import raft.kv.api.mvccpb.KeyValue;

/** The model's compare: every live key in the compare's range must satisfy it. */
final class MvccModelCompare {
  private MvccModelCompare() {}

  static boolean holds(Compare c, Map<String, KeyValue> state) {
    String key = c.getKey().toStringUtf8();
    String end = c.getRangeEnd().toStringUtf8();
    boolean any = false;
    for (KeyValue kv : state.values()) {
      if (MvccModel.inRange(key, end, kv.getKey().toStringUtf8())) {
        any = true;
        if (!one(c, kv)) {
          return false;
        }
      }
    }
    if (!any) {
      return c.getTarget() != Compare.CompareTarget.VALUE && one(c, KeyValue.getDefaultInstance());
    }
    return true;
  }

  private static boolean one(Compare c, KeyValue kv) {
    long diff = switch (c.getTarget()) {
      case VERSION -> Long.compare(kv.getVersion(), c.getVersion());
      case CREATE -> Long.compare(kv.getCreateRevision(), c.getCreateRevision());
      case MOD -> Long.compare(kv.getModRevision(), c.getModRevision());
      case VALUE -> kv.getValue().toStringUtf8().compareTo(c.getValue().toStringUtf8());
      default -> Long.compare(kv.getLease(), c.getLease());
    };
    return switch (c.getResult()) {
      case EQUAL -> diff == 0;
      case NOT_EQUAL -> diff != 0;
      case GREATER -> diff > 0;
      default -> diff < 0;
    };
  }
}
