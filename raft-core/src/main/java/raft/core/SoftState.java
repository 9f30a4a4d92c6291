package raft.core;

/** Volatile state worth reporting when it changes: who leads and what we are. Not persisted. */
public record SoftState(long lead, StateRole role) {}
