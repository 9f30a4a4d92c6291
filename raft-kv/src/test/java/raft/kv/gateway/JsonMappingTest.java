package raft.kv.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import raft.kv.api.etcdserverpb.LeaseGrantResponse;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.api.etcdserverpb.RangeResponse;
import raft.kv.api.etcdserverpb.ResponseHeader;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.mvccpb.KeyValue;

/**
 * The JSON etcd 3.4's gateway speaks (the expected strings are real etcd 3.4.23's answers,
 * taken with curl, with our ids): proto field names, int64 as strings, bytes as base64,
 * defaults left out; and grpc-gateway v1's error shapes.
 */
class JsonMappingTest {
  private static final ResponseHeader HEADER = ResponseHeader.newBuilder()
      .setClusterId(-6990991887966006122L).setMemberId(1).setRevision(3).setRaftTerm(2).build();

  @Test
  void responsesAsEtcdsGatewayPrintsThem() {
    RangeResponse r = RangeResponse.newBuilder().setHeader(HEADER).setCount(1)
        .addKvs(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("foo"))
            .setValue(ByteString.copyFromUtf8("bar")).setCreateRevision(2).setModRevision(3)
            .setVersion(2))
        .build();
    assertEquals("{\"header\":{\"cluster_id\":\"11455752185743545494\",\"member_id\":\"1\","
        + "\"revision\":\"3\",\"raft_term\":\"2\"},\"kvs\":[{\"key\":\"Zm9v\","
        + "\"create_revision\":\"2\",\"mod_revision\":\"3\",\"version\":\"2\","
        + "\"value\":\"YmFy\"}],\"count\":\"1\"}", JsonMapping.print(r));
    assertEquals("{\"result\":{\"ID\":\"5\",\"TTL\":\"30\"}}\n", JsonMapping.result(
        LeaseGrantResponse.newBuilder().setID(5).setTTL(30).build()));
  }

  @Test
  void requestsTakeEitherFieldNameNumbersOrStringsAndIgnoreUnknownFields() throws Exception {
    PutRequest p = (PutRequest) JsonMapping.parse(
        "{\"key\":\"Zm9v\",\"value\":\"YmFy\",\"prevKv\":true,\"lease\":\"7\",\"x\":1}",
        PutRequest.getDefaultInstance());
    assertEquals("foo", p.getKey().toStringUtf8());
    assertEquals(7, p.getLease());
    assertEquals(true, p.getPrevKv());
    assertEquals(PutRequest.getDefaultInstance(),
        JsonMapping.parse("", PutRequest.getDefaultInstance())); // etcd: key is not provided
  }

  @Test
  void aStreamsBodyHoldsRequestsOneAfterAnother() throws Exception {
    List<com.google.protobuf.Message> all = JsonMapping.parseAll(
        "{\"create_request\":{\"key\":\"YQ==\"}}\n{\"create_request\":{\"key\":\"Yg==\"}}",
        WatchRequest.getDefaultInstance());
    assertEquals(2, all.size());
    assertEquals("b", ((WatchRequest) all.get(1)).getCreateRequest().getKey().toStringUtf8());
    assertThrows(InvalidProtocolBufferException.class,
        () -> JsonMapping.parseAll("{bad", WatchRequest.getDefaultInstance()));
  }

  @Test
  void errorsAsGrpcGatewayV1() {
    Status s = Status.INVALID_ARGUMENT.withDescription("etcdserver: key is not provided");
    assertEquals("{\"error\":\"etcdserver: key is not provided\",\"message\":\"etcdserver: key "
        + "is not provided\",\"code\":3}", JsonMapping.error(s));
    assertEquals(400, JsonMapping.httpStatus(s.getCode()));
    assertEquals(404, JsonMapping.httpStatus(Status.Code.NOT_FOUND)); // lease not found
    assertEquals(503, JsonMapping.httpStatus(Status.Code.UNAVAILABLE)); // no leader
    assertEquals(412, JsonMapping.httpStatus(Status.Code.FAILED_PRECONDITION));
    assertEquals("{\"error\":{\"grpc_code\":11,\"http_code\":400,\"message\":\"etcdserver: mvcc: "
        + "required revision is a future revision\",\"http_status\":\"Bad Request\"}}\n",
        JsonMapping.streamError(Status.OUT_OF_RANGE.withDescription(
            "etcdserver: mvcc: required revision is a future revision")));
  }
}
