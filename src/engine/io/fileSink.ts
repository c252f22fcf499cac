/**
 * Where an export's bytes go, a piece at a time: a file on disk in the origin
 * private file system (OPFS) when the engine worker can open one, so a 500 MB
 * export never sits in memory; else a Blob assembled in memory.
 */
export interface FileSink {
  /**
   * Written synchronously, so the Parquet writer's flush can use it; the
   * caller may reuse `part` once this returns.
   */
  write(part: string | Uint8Array<ArrayBuffer>): void;
  /** Starts again from nothing: Parquet rewrites a file whose column type widened. */
  reset(): void;
  /** The finished file. */
  close(type: string): Promise<Blob>;
  /** Drops what was written: the export failed or was cancelled. */
  discard(): Promise<void>;
}

/** Text or bytes held in JS before they are folded into a Blob, which a browser may keep on disk. */
const FOLD_BYTES = 8 * 1024 * 1024;

/** The OPFS directory that holds export files. */
const EXPORTS_DIRECTORY = 'exports';

/** How long an export file is kept: a download started from it may still be reading it. */
const KEEP_EXPORTS_MS = 10 * 60 * 1000;

/** A sink on disk where OPFS storage opens (the engine worker), else in memory (Node, or a refusal). */
export async function openFileSink(name: string): Promise<FileSink> {
  if (typeof navigator === 'undefined' || !navigator.storage?.getDirectory) return new BlobSink();
  try {
    return await openDiskSink(name);
  } catch {
    // Private browsing, a page rather than a worker, no sync access handles: memory still works.
    return new BlobSink();
  }
}

/**
 * The parts of a FileSystemSyncAccessHandle used here. The type exists only in
 * the WebWorker library, and the page's type check (DOM library) reads this
 * file too, through the engine's types.
 */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

type SyncFileHandle = FileSystemFileHandle & {
  createSyncAccessHandle(): Promise<SyncAccessHandle>;
};

async function openDiskSink(name: string): Promise<FileSink> {
  const root = await navigator.storage.getDirectory();
  const directory = await root.getDirectoryHandle(EXPORTS_DIRECTORY, { create: true });
  await deleteOldExports(directory);
  // Unique, so two exports of the same run (two tabs, or one still downloading) never share a file.
  const fileName = `${crypto.randomUUID()}-${name}`;
  const file = (await directory.getFileHandle(fileName, { create: true })) as SyncFileHandle;
  const access = await file.createSyncAccessHandle();
  return new DiskSink(directory, file, access);
}

/**
 * Deletes the export files last written more than KEEP_EXPORTS_MS ago; newer
 * ones may still be downloading, or being written by another tab.
 */
async function deleteOldExports(directory: FileSystemDirectoryHandle): Promise<void> {
  const cutoff = Date.now() - KEEP_EXPORTS_MS;
  const old: string[] = [];
  for await (const [name, entry] of directory.entries()) {
    if (entry.kind !== 'file') continue;
    // A file another tab is writing is locked by its access handle: it is not old.
    const file = await entry.getFile().catch(() => undefined);
    if (file && file.lastModified < cutoff) old.push(name);
  }
  // Removed after the listing, which an entry removed under it could cut short.
  for (const name of old) await directory.removeEntry(name).catch(() => undefined);
}

/** A file in OPFS, written through a sync access handle at a running offset. */
class DiskSink implements FileSink {
  private readonly encoder = new TextEncoder();
  /** Reused for each text part: encoding into it allocates nothing. */
  private buffer = new Uint8Array(1 << 20);
  private offset = 0;

  constructor(
    private readonly directory: FileSystemDirectoryHandle,
    private readonly file: FileSystemFileHandle,
    private readonly access: SyncAccessHandle,
  ) {}

  write(part: string | Uint8Array<ArrayBuffer>): void {
    this.offset += this.access.write(this.bytesOf(part), { at: this.offset });
  }

  private bytesOf(part: string | Uint8Array<ArrayBuffer>): Uint8Array {
    if (typeof part !== 'string') return part;
    // UTF-8 takes at most 3 bytes for each UTF-16 code unit.
    if (this.buffer.length < part.length * 3) this.buffer = new Uint8Array(part.length * 3);
    const { written } = this.encoder.encodeInto(part, this.buffer);
    return this.buffer.subarray(0, written);
  }

  reset(): void {
    this.access.truncate(0);
    this.offset = 0;
  }

  async close(type: string): Promise<Blob> {
    this.access.flush();
    this.access.close();
    const file = await this.file.getFile();
    // A slice with the export's type refers to the same bytes on disk; it copies nothing.
    return file.slice(0, file.size, type);
  }

  async discard(): Promise<void> {
    this.access.close();
    // A file that cannot be removed now goes with a later export's sweep.
    await this.directory.removeEntry(this.file.name).catch(() => undefined);
  }
}

/**
 * A file assembled in memory. Every FOLD_BYTES the parts so far become one
 * Blob, so the JS heap never holds more than that, and never one giant string.
 */
class BlobSink implements FileSink {
  private blob = new Blob();
  private parts: BlobPart[] = [];
  private held = 0;

  write(part: string | Uint8Array<ArrayBuffer>): void {
    // Bytes are copied: the caller may reuse its buffer, and this one is held until the next fold.
    this.parts.push(typeof part === 'string' ? part : part.slice());
    this.held += part.length;
    if (this.held >= FOLD_BYTES) {
      this.blob = new Blob([this.blob, ...this.parts]);
      this.parts = [];
      this.held = 0;
    }
  }

  reset(): void {
    this.blob = new Blob();
    this.parts = [];
    this.held = 0;
  }

  async close(type: string): Promise<Blob> {
    return new Blob([this.blob, ...this.parts], { type });
  }

  async discard(): Promise<void> {
    this.reset();
  }
}
