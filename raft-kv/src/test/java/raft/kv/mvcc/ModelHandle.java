package raft.kv.mvcc;

import java.util.ArrayList;
import java.util.List;
import raft.kv.api.etcdserverpb.DeleteRangeRequest;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.mvccpb.Event;

/** Public access to the package-private {@link MvccModel} for tests in other packages. */
public final class ModelHandle {
  private final MvccModel model = new MvccModel();

  public void put(PutRequest p) {
    List<MvccModel.Write> pending = new ArrayList<>();
    model.put(p, pending);
    model.commit(pending);
  }

  public void delete(DeleteRangeRequest d) {
    List<MvccModel.Write> pending = new ArrayList<>();
    model.delete(d, pending);
    model.commit(pending);
  }

  public List<Event> eventsFrom(long rev) {
    return model.eventsFrom(rev);
  }
}
