package raft.kv.gateway;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd 3.4's gateway JSON (grpc-gateway v1 with {@code JSONPb{OrigName: true}}): proto field
 * names ({@code create_revision}, {@code member_id}, {@code ID}, {@code dbSize}: as named in
 * rpc.proto), 64-bit integers as strings, bytes as base64, enums by name, fields at their
 * default value left out; requests accept either field name and ignore unknown fields. The
 * mapping is protobuf's own ({@link JsonFormat}); this class only adds grpc-gateway's envelopes:
 * {@code {"result":...}} per streamed message, and its two error shapes.
 */
final class JsonMapping {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private JsonMapping() {}

  static String print(MessageOrBuilder m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("no Any fields in etcd's API: " + e.getMessage(), e);
    }
  }

  /** A unary request: an empty body is the empty request, as grpc-gateway takes it. */
  static Message parse(String body, Message prototype) throws InvalidProtocolBufferException {
    Message.Builder b = prototype.newBuilderForType();
    if (!body.isBlank()) {
      try {
        PARSER.merge(body, b);
      } catch (InvalidProtocolBufferException e) {
        throw new InvalidProtocolBufferException(rootMessage(e)); // the JSON error, not Java's
      }
    }
    return b.build();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? e.getMessage() : t.getMessage();
  }

  /**
   * A stream's requests: the body holds JSON objects one after the other (grpc-gateway reads
   * them with a JSON decoder until the body ends), each one request.
   */
  static List<Message> parseAll(String body, Message prototype)
      throws InvalidProtocolBufferException {
    List<Message> out = new ArrayList<>();
    try {
      JsonReader r = new JsonReader(new StringReader(body));
      r.setLenient(true); // values one after another, as Go's json.Decoder reads them
      while (r.peek() != JsonToken.END_DOCUMENT) {
        JsonElement e = JsonParser.parseReader(r);
        out.add(parse(e.toString(), prototype));
      }
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw new InvalidProtocolBufferException(rootMessage(e));
    }
    return out;
  }

  /** One streamed message, newline-delimited as grpc-gateway v1 streams them. */
  static String result(Message m) {
    return "{\"result\":" + print(m) + "}\n";
  }

  /** A unary call's error: {@code {"error":...,"message":...,"code":N}}. */
  static String error(Status s) {
    String text = s.getDescription() == null ? "" : s.getDescription();
    JsonObject o = new JsonObject();
    o.addProperty("error", text);
    o.addProperty("message", text);
    o.addProperty("code", s.getCode().value());
    return o.toString();
  }

  /** A stream's error (grpc-gateway v1's StreamError, in its own envelope). */
  static String streamError(Status s) {
    int http = httpStatus(s.getCode());
    JsonObject e = new JsonObject();
    e.addProperty("grpc_code", s.getCode().value());
    e.addProperty("http_code", http);
    e.addProperty("message", s.getDescription() == null ? "" : s.getDescription());
    e.addProperty("http_status", reason(http));
    JsonObject o = new JsonObject();
    o.add("error", e);
    return o + "\n";
  }

  /** grpc-gateway v1's HTTPStatusFromCode. */
  static int httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case CANCELLED -> 408;
      case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
      case DEADLINE_EXCEEDED -> 504;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case PERMISSION_DENIED -> 403;
      case UNAUTHENTICATED -> 401;
      case RESOURCE_EXHAUSTED -> 429;
      case FAILED_PRECONDITION -> 412;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      default -> 500; // UNKNOWN, INTERNAL, DATA_LOSS
    };
  }

  /** Go's http.StatusText for the statuses above. */
  static String reason(int status) {
    return io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus.valueOf(status)
        .reasonPhrase();
  }
}
