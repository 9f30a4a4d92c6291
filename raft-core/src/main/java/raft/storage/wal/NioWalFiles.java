package raft.storage.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@link WalFiles} on {@code java.nio}: one open {@link FileChannel} per file, kept until the
 * file is deleted or {@link #close} is called, so that each append is a positional write and
 * each sync one {@code fdatasync}-like {@link FileChannel#force(boolean) force(false)}.
 */
public final class NioWalFiles implements WalFiles, AutoCloseable {

  private final Path dir;
  private final Map<String, FileChannel> open = new HashMap<>();

  public NioWalFiles(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  @Override
  public List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
    }
    return names;
  }

  @Override
  public void create(String name) throws IOException {
    open.put(name, FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE));
  }

  private FileChannel channel(String name) throws IOException {
    FileChannel ch = open.get(name);
    if (ch == null) {
      ch = FileChannel.open(dir.resolve(name), StandardOpenOption.READ, StandardOpenOption.WRITE);
      open.put(name, ch);
    }
    return ch;
  }

  @Override
  public void write(String name, long position, byte[] data) throws IOException {
    FileChannel ch = channel(name);
    ByteBuffer buf = ByteBuffer.wrap(data);
    long pos = position;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
  }

  @Override
  public void setLength(String name, long length) throws IOException {
    FileChannel ch = channel(name);
    if (length < ch.size()) {
      ch.truncate(length);
    } else if (length > ch.size()) {
      // Writing the last byte makes a sparse file of the right size; the blocks are allocated
      // as records land. Real zero-filling would cost a full write of every segment.
      ch.write(ByteBuffer.wrap(new byte[1]), length - 1);
    }
  }

  @Override
  public void force(String name) throws IOException {
    // force(false): the data and the size, which is all recovery reads; not the mtime.
    channel(name).force(false);
  }

  @Override
  public void syncDir() throws IOException {
    // Opening a directory for reading and forcing it is how the JDK exposes fsync(dirfd) on
    // Linux; other systems may refuse, and then there is nothing more we can do.
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      if (System.getProperty("os.name", "").toLowerCase().contains("linux")) {
        throw e;
      }
    }
  }

  @Override
  public long size(String name) throws IOException {
    return Files.size(dir.resolve(name));
  }

  @Override
  public byte[] readAll(String name) throws IOException {
    return Files.readAllBytes(dir.resolve(name));
  }

  @Override
  public void delete(String name) throws IOException {
    FileChannel ch = open.remove(name);
    if (ch != null) {
      ch.close();
    }
    Files.delete(dir.resolve(name));
  }

  @Override
  public String describe(String name) {
    return dir.resolve(name).toString();
  }

  @Override
  public void close() throws IOException {
    for (FileChannel ch : open.values()) {
      ch.close();
    }
    open.clear();
  }
}
