import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Env } from "../src/config.js";
import { runCli, runSchedule, type BackupResult } from "../src/graph-backup-cli.js";
import { createLogger } from "../src/logger.js";
import { fakeReadFile, RUN_ENV } from "./graph-backup-fixtures.js";

const scratch = mkdtempSync(join(tmpdir(), "graph-backup-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
function freshDir(): string {
  return mkdtempSync(join(scratch, "dir-"));
}

/** A directory, clock and export held in memory; every run takes 2 s of fake time. */
function fakeSchedule(options: {
  failRuns?: number[];
  stopAfterRuns: number;
  existing?: string[];
  /** Node counts of the files, by name; files not named hold 10 nodes. */
  nodes?: Record<string, number>;
}) {
  const files = new Set(options.existing ?? []);
  const logs: Record<string, unknown>[] = [];
  const marks: number[] = [];
  const sleeps: number[] = [];
  const controller = new AbortController();
  let clockMs = Date.parse("2026-11-30T03:55:00Z");
  let runs = 0;
  const backup = (file: string): Promise<BackupResult> => {
    runs++;
    clockMs += 2_000;
    if (options.failRuns?.includes(runs)) {
      return Promise.reject(new Error("Could not perform discovery. No routing servers available."));
    }
    files.add(file.replace("/backups/", ""));
    return Promise.resolve({ schema: 1, nodes: 10, relationships: 4, skippedRelationships: 0, bytes: 512 });
  };
  const done = runSchedule({
    backupDir: "/backups",
    intervalMs: 300_000,
    retention: 2,
    backup,
    markSuccess: (seconds) => Promise.resolve(void marks.push(seconds)),
    listDir: () => Promise.resolve([...files]),
    counts: (path) => Promise.resolve({ nodes: options.nodes?.[path.replace("/backups/", "")] ?? 10 }),
    remove: (path) => Promise.resolve(void files.delete(path.replace("/backups/", ""))),
    now: () => new Date(clockMs),
    sleep: (ms) => {
      sleeps.push(ms);
      clockMs += ms;
      if (runs >= options.stopAfterRuns) controller.abort();
      return Promise.resolve();
    },
    logger: createLogger({
      level: "debug",
      write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
      now: () => new Date(clockMs),
    }),
    signal: controller.signal,
  });
  return { done, files, logs, marks, sleeps };
}

describe("runSchedule", () => {
  it("backs up at once and every interval, keeps the newest files and records each success", async () => {
    const run = fakeSchedule({ stopAfterRuns: 3, existing: ["graph-20261101T000000Z.jsonl"] });
    await run.done;
    expect([...run.files].sort()).toEqual(["graph-20261130T040000Z.jsonl", "graph-20261130T040500Z.jsonl"]);
    expect(run.sleeps).toEqual([298_000, 298_000, 298_000]);
    const seconds = (iso: string): number => Date.parse(iso) / 1000;
    expect(run.marks).toEqual([
      seconds("2026-11-30T03:55:02Z"),
      seconds("2026-11-30T04:00:02Z"),
      seconds("2026-11-30T04:05:02Z"),
    ]);
    expect(run.logs.map((log) => [log["level"], log["msg"], log["file"], log["deleted"]])).toEqual([
      ["info", "backup written", "/backups/graph-20261130T035500Z.jsonl", []],
      ["info", "backup written", "/backups/graph-20261130T040000Z.jsonl", ["graph-20261101T000000Z.jsonl"]],
      ["info", "backup written", "/backups/graph-20261130T040500Z.jsonl", ["graph-20261130T035500Z.jsonl"]],
    ]);
    expect(run.logs[0]).toEqual({
      time: "2026-11-30T03:55:02.000Z",
      level: "info",
      msg: "backup written",
      file: "/backups/graph-20261130T035500Z.jsonl",
      schema: 1,
      nodes: 10,
      relationships: 4,
      skippedRelationships: 0,
      bytes: 512,
      durationMs: 2000,
      deleted: [],
    });
  });

  it("keeps the last backup that holds nodes while the graph exports empty, past the retention", async () => {
    const run = fakeSchedule({
      stopAfterRuns: 3,
      existing: ["graph-20261101T000000Z.jsonl"],
      nodes: {
        "graph-20261130T035500Z.jsonl": 0,
        "graph-20261130T040000Z.jsonl": 0,
        "graph-20261130T040500Z.jsonl": 0,
      },
    });
    await run.done;
    expect([...run.files].sort()).toEqual([
      "graph-20261101T000000Z.jsonl",
      "graph-20261130T040000Z.jsonl",
      "graph-20261130T040500Z.jsonl",
    ]);
  });

  it("logs a failed run, keeps going, and does not record it as a success", async () => {
    const run = fakeSchedule({ stopAfterRuns: 3, failRuns: [2] });
    await run.done;
    expect(run.marks).toHaveLength(2);
    expect(run.logs[1]).toEqual({
      time: "2026-11-30T04:00:02.000Z",
      level: "error",
      msg: "backup failed",
      file: "/backups/graph-20261130T040000Z.jsonl",
      durationMs: 2000,
      error: { name: "Error", message: "Could not perform discovery. No routing servers available." },
    });
    expect(run.logs.map((log) => log["msg"])).toEqual(["backup written", "backup failed", "backup written"]);
  });

  it("removes partial files left by a killed run before the first backup", async () => {
    const run = fakeSchedule({ stopAfterRuns: 1, existing: ["graph-20261129T000000Z.jsonl.partial"] });
    await run.done;
    expect([...run.files]).toEqual(["graph-20261130T035500Z.jsonl"]);
  });

  it("returns without logging a failure when stopped during a backup", async () => {
    const controller = new AbortController();
    const logs: string[] = [];
    await runSchedule({
      backupDir: "/backups",
      intervalMs: 300_000,
      retention: 1,
      backup: (_file, signal) => {
        controller.abort();
        return Promise.reject(signal.reason as Error);
      },
      listDir: () => Promise.resolve([]),
      logger: createLogger({ level: "debug", write: (line) => logs.push(line) }),
      signal: controller.signal,
    });
    expect(logs).toEqual([]);
  });
});

describe("runCli", () => {
  function cli(argv: string[], env: Env) {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCli(argv, {
      env,
      readFile: fakeReadFile,
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      connect: () => {
        throw new Error("must not connect");
      },
      signal: new AbortController().signal,
    });
    return { code, out, err };
  }

  it("rejects a usage error with exit code 2 and the usage on stderr", async () => {
    const run = cli(["export"], RUN_ENV);
    await expect(run.code).resolves.toBe(2);
    expect(run.err.join("")).toMatch(
      /^graph-backup: export needs a file: node dist\/graph-backup.js export <file>\nusage: node dist\/graph-backup.js <command>\n/,
    );
    expect(run.out).toEqual([]);
  });

  it("rejects an invalid environment with exit code 2 and one JSON line listing every problem", async () => {
    const run = cli(["run"], { GRAPH_PASSWORD: "x" });
    await expect(run.code).resolves.toBe(2);
    expect(run.out).toHaveLength(1);
    expect(JSON.parse(run.out[0] ?? "")).toMatchObject({
      level: "error",
      msg: "invalid configuration",
      errors: [
        "GRAPH_PASSWORD is not supported; write the password to a file and set GRAPH_PASSWORD_FILE",
        "GRAPH_URL is required",
        "GRAPH_USER is required",
        "GRAPH_PASSWORD_FILE is required",
        "BACKUP_DIR is required",
      ],
    });
  });

  it("lists the backups newest first with their counts, marking incomplete ones", async () => {
    const dir = freshDir();
    const trailer = '{"kind":"trailer","schema":0,"nodes":5,"relationships":1}\n';
    writeFileSync(join(dir, "graph-20261129T035500Z.jsonl"), `{}\n${trailer}`);
    writeFileSync(join(dir, "graph-20261130T035500Z.jsonl"), "{}\n{");
    writeFileSync(join(dir, "notes.txt"), "");
    const run = cli(["list"], { BACKUP_DIR: dir });
    await expect(run.code).resolves.toBe(0);
    expect(run.out).toEqual([
      "graph-20261130T035500Z.jsonl  4 bytes  INCOMPLETE: truncated: the last line is not the export trailer, so the export did not finish; use another backup\n",
      `graph-20261129T035500Z.jsonl  ${3 + trailer.length} bytes  5 nodes, 1 relationships\n`,
    ]);
  });

  it("rejects restoring a file that does not exist with exit code 3", async () => {
    const dir = freshDir();
    const out: string[] = [];
    const run = runCli(["restore", "graph-20261130T035500Z.jsonl"], {
      env: { ...RUN_ENV, BACKUP_DIR: dir },
      readFile: fakeReadFile,
      stdout: (text) => out.push(text),
      stderr: () => {},
      connect: () => ({ close: async () => {} }) as never,
      signal: new AbortController().signal,
    });
    await expect(run).resolves.toBe(3);
    expect(JSON.parse(out[0] ?? "")).toMatchObject({
      level: "error",
      msg: "restore refused",
      error: `no such file: ${dir}/graph-20261130T035500Z.jsonl; run "list" to see the backups`,
    });
  });
});
