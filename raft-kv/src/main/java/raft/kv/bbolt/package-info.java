/**
 * bbolt's file format (go.etcd.io/bbolt 1.3, the store under etcd 3.4), read and written
 * without bbolt: {@link raft.kv.bbolt.BoltWriter} writes a fresh file from sorted buckets and
 * keys, {@link raft.kv.bbolt.BoltReader} reads one that bbolt or the writer wrote. This is what
 * {@code etcdctl snapshot save} produces and {@code snapshot restore} consumes (with a SHA-256
 * trailer); there is no Java library for it. Only top-level buckets of plain keys, which is all
 * etcd uses.
 *
 * <h2>Layout</h2>
 * A file is pages of one size (4096 on amd64, from the meta), little-endian throughout:
 * <pre>
 * file:      | meta 0 | meta 1 | page 2 | page 3 | ... | page pgid-1 |  (ignored beyond)
 * header:    id u64 | flags u16 | count u16 | overflow u32           (16 bytes, every page)
 *            flags: 0x01 branch, 0x02 leaf, 0x04 meta, 0x10 freelist
 * meta:      header | magic u32 = ED0CDAED | version u32 = 2 | pageSize u32 | flags u32
 *            | root pgid u64 | root sequence u64 | freelist pgid u64 | pgid u64 | txid u64
 *            | checksum u64 = FNV-1a 64 of the 56 meta bytes before it
 * branch:    header | count x (pos u32 | ksize u32 | child pgid u64) | key key ...
 * leaf:      header | count x (flags u32 | pos u32 | ksize u32 | vsize u32)
 *            | key value key value ...
 * freelist:  header | [u64 count, when count = 0xFFFF] | count x free pgid u64, ascending
 * bucket:    a leaf value with element flag 0x01:
 *            root pgid u64 | sequence u64 [| an inline leaf page, when root = 0]
 * </pre>
 * {@code pos} counts from the start of its own element to the key; the value follows the key.
 * A node bigger than a page takes {@code 1 + overflow} consecutive pages under the first one's
 * header. The meta's {@code pgid} is the high-water mark: the database is pages 0 to pgid-1.
 * Each tree is a B+tree: a branch holds one element per child, keyed by the child's first key
 * (bbolt may leave a smaller, stale key after deletes), and leaves hold the entries in
 * ascending unsigned-byte order. The meta's root points at the root bucket, whose leaves hold
 * one bucket element per top-level bucket (name as key); each bucket's value points at its own
 * tree, or carries it inline after the header when it is one small leaf. bbolt commits by
 * writing the new pages elsewhere, then the meta at page {@code txid % 2}; at open it uses the
 * valid meta with the higher txid, so a torn meta write falls back to the previous commit.
 *
 * <h2>What we write</h2>
 * {@link raft.kv.bbolt.BoltWriter} streams: each bucket's leaves go to the file as they fill,
 * from page 2 on, and each full node passes its first key and pgid up to a pending node one
 * level higher, so it holds about one page per tree level, never the database. Leaves are
 * filled to a page (bbolt fills to half, etcd's appends to 90%; any fill up to a page reads the
 * same); an entry bigger than a page sits alone in a leaf with overflow pages; branches keep at
 * least two children. A bucket whose one leaf is at most a quarter page is written inline, as
 * bbolt's {@code Bucket.inlineable} would. After the last bucket: the root bucket's tree (over
 * the bucket elements), an empty freelist page (every page is in use), an fsync, then both
 * metas pointing at the same tree, txid 2 on page 0 and 1 on page 1 (as bbolt's
 * {@code Tx.WriteTo}, with which etcd takes snapshots; even, so that bbolt's next commit
 * overwrites page 1, the older meta), and a last fsync. Until the metas are written the file has
 * no valid meta, so a crash leaves a file that is refused, not a wrong one. Every page below
 * the high-water mark is reachable, as bbolt's {@code Tx.Check} (run by {@code etcdctl snapshot
 * status}) demands. Bucket sequences are 0: etcd does not use them.
 *
 * <h2>What we read, and what we refuse</h2>
 * {@link raft.kv.bbolt.BoltReader} checks both metas (magic, version, checksum, page id and
 * type, page size a power of two) and takes the valid one with the higher txid; the file (or
 * the given prefix of it, for etcd's trailer) must hold the high-water mark's pages. It reads
 * only pages reachable from that meta, each checked when it is read: id in [2, pgid) with its
 * overflow, the id in its header, branch or leaf type, every element and every key and value
 * within the node, branch keys ascending, and the entries of each bucket strictly ascending
 * across the whole walk, and no page entered twice in one tree (a cycle, or branches sharing
 * a subtree of empty leaves, which no key order catches and which would make the walk
 * exponential); more than 64 levels is refused too, to bound the recursion. The freelist page is checked (type, ids within the database) but not used; a
 * meta without one (etcd's {@code NoFreelistSync}, pgid 2^64-1) is fine. Refused, each with a
 * {@link raft.kv.bbolt.BoltFormatException} naming the file, the page and what points at it:
 * no valid meta, a truncated file, a page outside the database or of the wrong type, an element
 * past its node, keys out of order, a non-bucket key at the top level, and nested buckets (etcd
 * writes none). A meta checksum of 0, which bbolt accepts from files older than checksums, is
 * refused as a checksum error: no etcd wrote one. Not checked: free and unreachable pages'
 * contents, and whether a branch key matches its child's first key (bbolt leaves stale ones).
 *
 * <h2>etcd's snapshot files</h2>
 * {@code etcdctl snapshot save} writes the database (bbolt's {@code Tx.WriteTo}: every page up
 * to the high-water mark, metas rewritten) followed by the SHA-256 of those bytes, 32 bytes.
 * {@code snapshot restore} tells a file with the trailer by its size: a whole number of pages
 * is a multiple of 512, so {@code size % 512 == 32} means a trailer, which it then checks.
 * Read such a file with {@code BoltReader.open(file, size - 32)} (or whole: the trailer lies
 * past the high-water mark); to make one, write the database with {@code BoltWriter} and
 * append the SHA-256 of the whole file. A live etcd data file ({@code member/snap/db}) reads
 * the same way, without a trailer and with free pages past or below the high-water mark.
 */
package raft.kv.bbolt;
