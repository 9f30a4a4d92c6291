package raft.core;

import com.google.protobuf.ByteString;

/**
 * A linearizable read is ready (thesis §6.4): once the state machine has applied {@code index},
 * the read identified by {@code requestCtx} may be served from it.
 */
public record ReadState(long index, ByteString requestCtx) {}
