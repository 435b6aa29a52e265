import { constants, type FSWatcher, watch } from "node:fs";
import { open, realpath } from "node:fs/promises";
import path from "node:path";

/** Size limits of the {@link SegmentCache}. */
export interface SegmentCacheOptions {
  /** Most bytes held at once; the least recently used files go first. Default 256 MiB. */
  maxBytes?: number;
  /** Largest single file kept in memory; larger ones are read from disk each time. Default 16 MiB. */
  maxFileBytes?: number;
}

interface Entry {
  data: Buffer;
  /** Bumped on every invalidation of the path, so a read that raced with a rewrite is not cached. */
  generation: number;
}

/**
 * A bounded in-memory cache of the files under watched HLS directories.
 *
 * Live viewers all read the same few segments within seconds, so a segment is read from disk
 * once and then served from memory. Each watched directory has an inotify watcher; any change
 * or rename of a file drops it from the cache at once, so a rewritten playlist or a deleted
 * segment is never served stale. Only the watched directory's own files are cached; files in
 * its subdirectories are read from disk on every request. Files are opened with `O_NOFOLLOW` (no symlinks) and only
 * inside a watched directory.
 */
export class SegmentCache {
  readonly #maxBytes: number;
  readonly #maxFileBytes: number;
  /** Insertion order is recency order: a hit re-inserts its entry. */
  readonly #entries = new Map<string, Entry>();
  readonly #generations = new Map<string, number>();
  readonly #pending = new Map<string, Promise<Buffer | undefined>>();
  readonly #watchers = new Map<string, FSWatcher>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(options: SegmentCacheOptions = {}) {
    this.#maxBytes = options.maxBytes ?? 256 * 2 ** 20;
    this.#maxFileBytes = options.maxFileBytes ?? 16 * 2 ** 20;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Starts watching a stream's HLS directory (created beforehand); idempotent. */
  watch(dir: string): void {
    if (this.#watchers.has(dir)) return;
    // Not recursive: Node 20's recursive watch on Linux is emulated and reports renames late or
    // not at all, while a plain inotify watch reports each one. Files in subdirectories are
    // therefore never cached (see #load).
    const watcher = watch(dir, { persistent: false }, (_event, file) => {
      if (file === null) this.invalidateDir(dir);
      else this.invalidate(path.join(dir, file.toString()));
    });
    watcher.on("error", () => {
      // The directory went away (stream offline, cleaned): forget it and everything under it.
      this.unwatch(dir);
    });
    this.#watchers.set(dir, watcher);
  }

  /** Stops watching a directory and drops what it held. */
  unwatch(dir: string): void {
    this.#watchers.get(dir)?.close();
    this.#watchers.delete(dir);
    this.invalidateDir(dir);
  }

  /** Whether a directory is watched (files outside watched directories are never served). */
  isWatched(dir: string): boolean {
    return this.#watchers.has(dir);
  }

  /** Drops one file. */
  invalidate(file: string): void {
    this.#generations.set(file, (this.#generations.get(file) ?? 0) + 1);
    const entry = this.#entries.get(file);
    if (entry === undefined) return;
    this.#entries.delete(file);
    this.#bytes -= entry.data.length;
  }

  /** Drops every file under a directory. */
  invalidateDir(dir: string): void {
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const file of [...this.#entries.keys()]) if (file.startsWith(prefix)) this.invalidate(file);
    for (const file of [...this.#generations.keys()])
      if (file.startsWith(prefix)) this.#generations.delete(file);
  }

  /** Drops everything and closes the watchers. */
  close(): void {
    for (const dir of [...this.#watchers.keys()]) this.unwatch(dir);
    this.#entries.clear();
    this.#bytes = 0;
  }

  /**
   * The file's contents, from memory when possible; `undefined` when it does not exist, is not a
   * regular file, is a symlink, or resolves outside `root`. Concurrent misses share one read.
   */
  get(file: string, root: string): Promise<Buffer | undefined> | Buffer | undefined {
    const entry = this.#entries.get(file);
    if (entry !== undefined) {
      this.hits++;
      this.#entries.delete(file);
      this.#entries.set(file, entry);
      return entry.data;
    }
    this.misses++;
    let pending = this.#pending.get(file);
    if (pending === undefined) {
      pending = this.#load(file, root).finally(() => this.#pending.delete(file));
      this.#pending.set(file, pending);
    }
    return pending;
  }

  async #load(file: string, root: string): Promise<Buffer | undefined> {
    const generation = this.#generations.get(file) ?? 0;
    const data = await readInside(file, root, this.#maxFileBytes * 4);
    if (data === undefined) return undefined;
    const cacheable =
      this.isWatched(root) && path.dirname(file) === root && data.length <= this.#maxFileBytes;
    if (cacheable && (this.#generations.get(file) ?? 0) === generation) {
      this.#entries.set(file, { data, generation });
      this.#bytes += data.length;
      this.#evict();
    }
    return data;
  }

  #evict(): void {
    for (const [file, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) return;
      this.#entries.delete(file);
      this.#bytes -= entry.data.length;
    }
  }
}

/**
 * Reads a regular file that really lies under `root`: the directory part is resolved (no symlinked
 * directory may lead out) and the file itself is opened with `O_NOFOLLOW`.
 */
async function readInside(file: string, root: string, maxBytes: number): Promise<Buffer | undefined> {
  try {
    const [realRoot, realDir] = await Promise.all([realpath(root), realpath(path.dirname(file))]);
    if (realDir !== realRoot && !realDir.startsWith(realRoot + path.sep)) return undefined;
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const stat = await handle.stat();
      if (!stat.isFile() || stat.size > maxBytes) return undefined;
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
