package raft.kv.auth;

/** TEMPORARY copy of the contract (authstore owns it). */
public enum PermType { READ, WRITE }
