/**
 * Backup files on disk: names with a UTC stamp, retention, atomic writes through a `.partial`
 * file, streamed reads, and the trailer of a file read from its end.
 */
import { createReadStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { WriteLine } from "./graph-export.js";
import { parseTrailer } from "./graph-format.js";
import { FormatError } from "./graph-values.js";

const BACKUP_NAME = /^graph-\d{8}T\d{6}Z\.jsonl$/;
const PARTIAL_NAME = /^graph-\d{8}T\d{6}Z\.jsonl\.partial$/;

/** `20261130T035500Z`: UTC, sortable, and free of characters file systems dislike. */
export function backupStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

export function backupFileName(date: Date): string {
  return `graph-${backupStamp(date)}.jsonl`;
}

/** Backup names in `names`, newest first (the stamp sorts as text). Other files are ignored. */
export function backupNames(names: readonly string[]): string[] {
  return names.filter((name) => BACKUP_NAME.test(name)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** A backup and its node count; undefined when the file is incomplete or unreadable. */
export interface BackupEntry {
  readonly name: string;
  readonly nodes: number | undefined;
}

/** The newest backup that holds nodes: what a restore after a lost store wants. */
export function newestWithData(backups: readonly BackupEntry[]): string | undefined {
  const names = backupNames(backups.map((b) => b.name));
  return names.find((name) => (backups.find((b) => b.name === name)?.nodes ?? 0) > 0);
}

/**
 * The backups to delete so that the newest `retention` remain, except the newest one that holds
 * nodes: a graph that came back empty (its volume lost) is exported at every tick, and those empty
 * exports must not rotate the last good one away before someone restores it.
 */
export function expiredBackups(backups: readonly BackupEntry[], retention: number): string[] {
  const keep = newestWithData(backups);
  return backupNames(backups.map((b) => b.name))
    .slice(retention)
    .filter((name) => name !== keep);
}

/** Partial files a killed process (OOM, SIGKILL) left behind; `run` removes them at start. */
export function leftoverPartials(names: readonly string[]): string[] {
  return names.filter((name) => PARTIAL_NAME.test(name)).sort();
}

/** A bare name lives in the backup directory; anything with a slash is a path as given. */
export function resolveBackupPath(file: string, backupDir: string | undefined): string {
  return backupDir === undefined || file.includes("/") ? file : join(backupDir, file);
}

/** Bytes gathered before one write(2): few syscalls, little memory. */
const WRITE_CHUNK_BYTES = 64 * 1024;

/**
 * Writes a file through `produce` as `<path>.partial` and renames it to `path` only when
 * `produce` resolves, so no half file ever carries the final name. On failure or abort the partial
 * file is removed and the error rethrown; an abort does not wait for `produce` to notice it.
 */
export async function writeAtomically<T>(
  path: string,
  produce: (write: WriteLine) => Promise<T>,
  signal?: AbortSignal,
): Promise<{ value: T; bytes: number }> {
  const partial = `${path}.partial`;
  if (await exists(path)) throw new Error(`${path} already exists; choose another name or delete it`);
  const handle = await open(partial, "wx");
  let chunks: string[] = [];
  let pending = 0;
  let bytes = 0;
  let closed = false;
  const flush = async (): Promise<void> => {
    if (pending === 0) return;
    const chunk = chunks.join("");
    chunks = [];
    pending = 0;
    bytes += (await handle.write(chunk)).bytesWritten;
  };
  const write: WriteLine = async (line) => {
    if (closed) throw new Error(`${partial} is closed`);
    chunks.push(line, "\n");
    pending += line.length + 1;
    if (pending >= WRITE_CHUNK_BYTES) await flush();
  };
  try {
    const value = await abortable(produce(write), signal);
    await flush();
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(partial, path);
    return { value, bytes };
  } catch (error) {
    closed = true;
    await handle.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}

/** Rejects as soon as `signal` aborts, leaving `promise` to settle (and be ignored) on its own. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  promise.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The file's lines, streamed. */
export function readLines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
}

/** Every backup in `dir` with its node count (read from the trailer), for retention and restore. */
export async function backupEntries(
  names: readonly string[],
  dir: string,
  counts: (path: string) => Promise<{ nodes: number } | { error: string }> = backupCounts,
): Promise<BackupEntry[]> {
  return Promise.all(
    backupNames(names).map(async (name) => {
      const found = await counts(join(dir, name)).catch(() => ({ error: "unreadable" }));
      return { name, nodes: "error" in found ? undefined : found.nodes };
    }),
  );
}

/** Node and relationship counts from a backup's trailer, read from the end of the file only. */
export async function backupCounts(
  path: string,
): Promise<{ nodes: number; relationships: number } | { error: string }> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n");
    // A complete file ends with a newline, so the trailer is the line before the empty last one.
    const last = lines.at(-1) === "" ? (lines.at(-2) ?? "") : "";
    const trailer = parseTrailer(last);
    return { nodes: trailer.nodes, relationships: trailer.relationships };
  } catch (error) {
    if (error instanceof FormatError) return { error: error.message };
    throw error;
  } finally {
    await handle.close();
  }
}
