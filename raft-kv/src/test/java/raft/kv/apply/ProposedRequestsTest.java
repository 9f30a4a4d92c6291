package raft.kv.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static raft.kv.mvcc.Kv.put;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import raft.kv.auth.TokenKeeper;
import raft.kv.lease.LeaseListener;
import raft.kv.pb.InternalRequest;

/**
 * The proposer's hand-off (raftkv.alloc.handoff): a member applying the requests it offered
 * ends in the state, and answers with the results, of a member that parses every entry.
 */
class ProposedRequestsTest {
  private final List<String> leaderResults = new ArrayList<>();
  private final List<String> followerResults = new ArrayList<>();
  private final KvStateMachine leader = new KvStateMachine(2,
      (id, index, r) -> leaderResults.add(id + "@" + index + " " + describe(r)),
      LeaseListener.NONE, new TokenKeeper(), new ProposedRequests(true));
  private final KvStateMachine follower = new KvStateMachine(2,
      (id, index, r) -> followerResults.add(id + "@" + index + " " + describe(r)),
      LeaseListener.NONE);

  private static String describe(ApplyResult r) {
    if (r instanceof ApplyResult.Refused refused) {
      return "refused " + refused.error().code();
    }
    return r.getClass().getSimpleName() + " " + ((ApplyResult.Applied<?>) r).response();
  }

  // What the gateway offers: the request it built, whose fields are not views of the entry.
  private static InternalRequest built(ByteString entry) throws InvalidProtocolBufferException {
    return InternalRequest.parseFrom(entry.toByteArray());
  }

  private void applyBoth(List<ByteString> entries, boolean offerEvery, boolean withdrawOdd)
      throws InvalidProtocolBufferException {
    for (int i = 0; i < entries.size(); i++) {
      ByteString e = entries.get(i);
      if (offerEvery && !e.isEmpty()) {
        leader.proposed().offer(e, built(e));
        if (withdrawOdd && i % 2 == 1) {
          leader.proposed().withdraw(e); // failed or timed out at the proposer, applied anyway
        }
      }
      leader.apply(i + 1, 1, e);
      follower.apply(i + 1, 1, e);
    }
  }

  @Test
  void aHandedOverRequestAppliesAsTheParsedEntryDoes() throws Exception {
    applyBoth(KvStateMachineTest.workload(18, 300), true, false);
    assertEquals(followerResults, leaderResults);
    assertEquals(follower.snapshot(), leader.snapshot());
    assertEquals(0, leader.proposed().size(), "every offered request was taken when applied");
  }

  @Test
  void aLostHandOffFallsBackToParsing() throws Exception {
    applyBoth(KvStateMachineTest.workload(19, 300), true, true);
    assertEquals(followerResults, leaderResults);
    assertEquals(follower.snapshot(), leader.snapshot());
    assertEquals(0, leader.proposed().size());
  }

  @Test
  void anotherEntryIsParsedNotTakenForAnOfferedOne() throws Exception {
    ByteString mine = InternalRequest.newBuilder().setId(1).setPut(put("k", "mine")).build()
        .toByteString();
    ByteString theirs = InternalRequest.newBuilder().setId(1).setPut(put("k", "theirs")).build()
        .toByteString();
    leader.proposed().offer(mine, built(mine));
    leader.apply(1, 1, theirs); // another member's entry, applied first
    follower.apply(1, 1, theirs);
    assertEquals(followerResults, leaderResults);
    assertEquals(follower.snapshot(), leader.snapshot());
    assertEquals(1, leader.proposed().size(), "mine is still waiting for its own entry");
  }

  @Test
  void offSwitchKeepsNothing() {
    ProposedRequests off = new ProposedRequests(false);
    ByteString e = ByteString.copyFromUtf8("x");
    off.offer(e, InternalRequest.getDefaultInstance());
    assertEquals(0, off.size());
    assertEquals(null, off.take(e));
  }
}
